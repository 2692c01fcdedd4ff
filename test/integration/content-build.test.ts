import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/sandbox.ts";

describe("a lesson with bad front matter", () => {
  const copy = mkdtempSync(join(tmpdir(), "wirelab-content-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("fails the build, naming the file and what to fix", () => {
    for (const entry of ["src", "public", "astro.config.mjs", "tsconfig.json", "package.json"]) {
      cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    const lesson = join(copy, "src/lessons/99-broken/index.mdx");
    cpSync(join(ROOT, "src/lessons/01-what-is-a-websocket/index.mdx"), lesson);
    writeFileSync(
      lesson,
      `---\norder: 99\nsummary: A lesson whose author forgot its title.\nobjectives: [Notice the error]\nminutes: 5\n---\n\nText.\n`,
    );

    const build = spawnSync(process.execPath, ["node_modules/astro/bin/astro.mjs", "build"], {
      cwd: copy,
      encoding: "utf8",
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" },
    });
    const output = build.stdout + build.stderr;
    expect(build.status).not.toBe(0);
    expect(output).toContain("99-broken/index.mdx");
    expect(output).toContain("title is required");
  }, 120_000);
});
