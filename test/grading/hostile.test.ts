// Hostile submissions through the real grading path. Each must end in a
// clean `error` or `fail` (never `pass` for a forgery), leak nothing from the
// host, leave nothing running, and not disturb honest submissions graded at
// the same time.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Grader } from "../../sandbox-server/grading/grader.ts";
import type { GradeResult } from "../../sandbox-server/grading/results.ts";

const EXERCISE = "handshake-accept";
const exercisesDir = new URL("../../exercises", import.meta.url).pathname;
const reference = readFileSync(join(exercisesDir, EXERCISE, "reference.ts"), "utf8");
const testFilePath = join(exercisesDir, EXERCISE, "solution.test.ts");

const MARKER = `wirelab-hostile-${process.pid}`;
const SECRET = `secret-${Math.random().toString(36).slice(2)}-do-not-leak`;
let secretDir: string;
let secretFile: string;
let grader: Grader;
let hostPasswdFirstLine = "";

beforeAll(async () => {
  secretDir = mkdtempSync(join(tmpdir(), "wirelab-secret-"));
  secretFile = join(secretDir, "secret.txt");
  writeFileSync(secretFile, SECRET);
  try {
    hostPasswdFirstLine = readFileSync("/etc/passwd", "utf8").split("\n")[0];
  } catch {
    hostPasswdFirstLine = "root:x:0:0";
  }
  grader = await Grader.create({
    concurrency: 2,
    timeLimitMs: 5000,
    testTimeoutMs: 3000,
  });
}, 120_000);

afterAll(async () => {
  await grader?.close();
  rmSync(secretDir, { recursive: true, force: true });
});

let clientCounter = 0;
function grade(solution: string): Promise<GradeResult> {
  return grader.grade({
    exercise: EXERCISE,
    files: { "solution.ts": solution },
    client: `hostile-${++clientCounter}`,
  });
}

/** Everything a student could read in a result, as one string. */
const visible = (result: GradeResult) => JSON.stringify(result);

function expectNotPass(result: GradeResult): void {
  expect(result.status, visible(result)).not.toBe("pass");
  expect(["fail", "error"]).toContain(result.status);
}

function expectNoLeak(result: GradeResult): void {
  const text = visible(result);
  expect(text).not.toContain(SECRET);
  if (hostPasswdFirstLine) expect(text).not.toContain(hostPasswdFirstLine);
}

/** Processes on the host whose command line contains the marker. */
function markedProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(MARKER) && Number(entry) !== process.pid) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

async function expectNoMarkedProcesses(): Promise<void> {
  for (let i = 0; i < 50 && markedProcesses().length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(markedProcesses()).toEqual([]);
}

/** A solution that computes a wrong answer from whatever `probe()` returns. */
const reporting = (probe: string) => `
import { readFileSync, writeFileSync, symlinkSync } from "node:fs";
void readFileSync; void writeFileSync; void symlinkSync;
const probe = (() => { ${probe} })();
export function acceptKey(key: string): string { return "probe:" + JSON.stringify(probe); }
`;

describe.concurrent("hostile submissions", () => {
  test("an infinite loop at the top level: error, time limit", { timeout: 60_000 }, async () => {
    const result = await grade(
      `while (true) {}\nexport function acceptKey(k: string) { return k; }`,
    );
    expect(result.status).toBe("error");
    expect(result.message).toMatch(/time limit/i);
  });

  test("an infinite loop inside a test: error, time limit", { timeout: 60_000 }, async () => {
    const result = await grade(`export function acceptKey(k: string): string { while (true) {} }`);
    expect(result.status).toBe("error");
    expect(result.message).toMatch(/time limit/i);
  });

  test("an array memory bomb: error, out of memory", { timeout: 60_000 }, async () => {
    const result = await grade(`
      const hoard: number[][] = [];
      while (true) hoard.push(new Array(1_000_000).fill(1));
      export function acceptKey(k: string) { return k; }`);
    expect(result.status).toBe("error");
    // V8 may spend a long time collecting garbage near the heap limit first.
    expect(result.message).toMatch(/memory|crashed|time limit/i);
  });

  test("a Buffer memory bomb (outside the JS heap): error", { timeout: 60_000 }, async () => {
    const result = await grade(`
      const hoard: Buffer[] = [];
      while (true) hoard.push(Buffer.alloc(32 * 1024 * 1024, 1));
      export function acceptKey(k: string) { return k; }`);
    expect(result.status).toBe("error");
    expect(result.message).toMatch(/memory|crashed|time limit/i);
  });

  test("a fork bomb: error, and nothing left running", { timeout: 60_000 }, async () => {
    const result = await grade(`
      const cp = process.getBuiltinModule("node:child_process") as typeof import("node:child_process");
      for (let i = 0; i < 2000; i++) {
        try { cp.spawn("/bin/sh", ["-c", "f() { f | f & }; f # ${MARKER}"], { stdio: "ignore", detached: true }).on("error", () => {}); } catch {}
      }
      export function acceptKey(k: string): string { while (true) {} }`);
    expectNotPass(result);
    await expectNoMarkedProcesses();
  });

  test("importing child_process is refused with a clear message", { timeout: 60_000 }, async () => {
    const result = await grade(
      `import { execSync } from "node:child_process";\nexport function acceptKey(k: string) { return String(execSync("id")); }`,
    );
    expect(result.status).toBe("error");
    expect(result.message).toMatch(/may not import "node:child_process"/);
  });

  test(
    "reading /etc/passwd sees the sandbox's file, not the host's",
    { timeout: 60_000 },
    async () => {
      const result = await grade(
        reporting(
          `try { return readFileSync("/etc/passwd", "utf8"); } catch (e) { return String(e); }`,
        ),
      );
      expect(result.status).toBe("fail");
      expect(visible(result)).toContain("student:x:1000");
      expectNoLeak(result);
    },
  );

  test(
    "reading a secret planted on the host, the project and the grader's files fails",
    { timeout: 60_000 },
    async () => {
      const paths = [
        secretFile,
        testFilePath,
        new URL("../../sandbox-server/grading/grader.ts", import.meta.url).pathname,
        "/root/.bashrc",
        "/work",
        "/proc/1/environ",
      ];
      const result = await grade(
        reporting(
          `return ${JSON.stringify(paths)}.map((p) => { try { return p + "=" + readFileSync(p, "utf8").slice(0, 200); } catch (e) { return p + "!" + (e as NodeJS.ErrnoException).code; } });`,
        ),
      );
      expect(result.status).toBe("fail");
      expectNoLeak(result);
      const shown = visible(result);
      expect(shown).toContain(`${secretFile}!ENOENT`);
      expect(shown).not.toContain("class Grader");
    },
  );

  test(
    "writing the test file, the runner, the config and node_modules fails (read-only)",
    { timeout: 60_000 },
    async () => {
      const before = statSync(testFilePath).mtimeMs;
      const targets = [
        `/app/exercises/${EXERCISE}/solution.test.ts`,
        "/app/grading/runner.ts",
        "/app/package.json",
        "/app/node_modules/vitest/package.json",
        testFilePath,
      ];
      const result = await grade(
        reporting(
          `return ${JSON.stringify(targets)}.map((p) => { try { writeFileSync(p, "test('forged', () => {});"); return p + " WRITTEN"; } catch (e) { return p + " " + (e as NodeJS.ErrnoException).code; } });`,
        ),
      );
      expect(result.status).toBe("fail");
      expect(visible(result)).not.toContain("WRITTEN");
      expect(statSync(testFilePath).mtimeMs).toBe(before);
    },
  );

  test("process.exit(0) at the top level: error, never pass", { timeout: 60_000 }, async () => {
    const result = await grade(`${reference}\nprocess.exit(0);`);
    expect(result.status).toBe("error");
  });

  test("process.exit(0) inside a test: not pass", { timeout: 60_000 }, async () => {
    const result = await grade(`export function acceptKey(k: string): string { process.exit(0); }`);
    expectNotPass(result);
  });

  test(
    "killing its parent cannot reach the runner: the honest fail or pass, and grading goes on",
    { timeout: 60_000 },
    async () => {
      // The tests run in a sandbox of their own: the parent in there is the
      // sandbox's init, and vitest's main process is in another sandbox.
      const kill = `\nprocess.kill(process.ppid, "SIGKILL");`;
      // Wrong code stays a fail, right code the pass it earned: the kill changes nothing.
      const wrong = await grade(`export function acceptKey(k: string) { return k; }${kill}`);
      expect(wrong.status, visible(wrong)).toBe("fail");
      const right = await grade(`${reference}${kill}`);
      expect(right.status, visible(right)).toBe("pass");
      expect((await grade(reference)).status).toBe("pass");
    },
  );

  test(
    "killing everything it can see ends only its own run: error",
    { timeout: 60_000 },
    async () => {
      const result = await grade(`${reference}\nprocess.kill(-1, "SIGKILL");`);
      expect(result.status).toBe("error");
      expect((await grade(reference)).status).toBe("pass");
    },
  );

  test("huge stdout: error, output limit", { timeout: 60_000 }, async () => {
    const result = await grade(`
      const chunk = "x".repeat(64 * 1024);
      for (let i = 0; i < 200; i++) process.stdout.write(chunk);
      ${reference}`);
    expect(result.status).toBe("error");
    expect(result.message).toMatch(/output limit/i);
  });

  test("a console.log flood: error, output limit", { timeout: 60_000 }, async () => {
    const result = await grade(`
      const line = "y".repeat(10_000);
      for (let i = 0; i < 300; i++) console.log(line);
      ${reference}`);
    expect(result.status).toBe("error");
    expect(result.message).toMatch(/output limit/i);
  });

  test("connecting to a non-loopback address fails (no network)", { timeout: 60_000 }, async () => {
    const result = await grade(`
      import { connect } from "node:net";
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: "1.1.1.1", port: 80 });
        socket.once("connect", () => { socket.destroy(); resolve("CONNECTED"); });
        socket.once("error", (e: NodeJS.ErrnoException) => resolve(String(e.code)));
        setTimeout(() => resolve("TIMEOUT"), 1500);
      });
      export function acceptKey(k: string) { return "net:" + outcome; }`);
    expect(result.status).toBe("fail");
    expect(visible(result)).not.toContain("CONNECTED");
    expect(visible(result)).toMatch(/ENETUNREACH|EHOSTUNREACH|ECONNREFUSED|TIMEOUT/);
  });

  test("DNS lookups fail", { timeout: 60_000 }, async () => {
    const result = await grade(`
      import { lookup } from "node:dns/promises";
      const outcome = await lookup("example.com").then((a) => "RESOLVED " + a.address, (e: NodeJS.ErrnoException) => String(e.code));
      export function acceptKey(k: string) { return "dns:" + outcome; }`);
    expect(result.status).toBe("fail");
    expect(visible(result)).not.toContain("RESOLVED");
  });

  test("a detached child does not outlive the run", { timeout: 60_000 }, async () => {
    const result = await grade(`
      const cp = process.getBuiltinModule("node:child_process") as typeof import("node:child_process");
      cp.spawn("/bin/sh", ["-c", "sleep 300 # ${MARKER}"], { detached: true, stdio: "ignore" }).unref();
      ${reference}`);
    // Spawning is allowed; what matters is that nothing survives the sandbox.
    expect(["pass", "fail", "error"]).toContain(result.status);
    await expectNoMarkedProcesses();
  });

  test(
    "symlinks and fake result files in the work folder change nothing",
    { timeout: 60_000 },
    async () => {
      const result = await grade(`
      import { symlinkSync, writeFileSync } from "node:fs";
      const fake = JSON.stringify({ status: "pass", tests: [], durationMs: 1 });
      for (const name of ["results.json", "report.json", "/tmp/results.json"]) {
        try { symlinkSync("${secretFile}", name.startsWith("/") ? name : "/tmp/work/" + name); } catch {}
        try { writeFileSync(name.startsWith("/") ? name + ".txt" : "/tmp/work/" + name + ".txt", fake); } catch {}
      }
      try { symlinkSync("/etc/passwd", "/tmp/work/submission.json.tmp"); } catch {}
      process.stdout.write(JSON.stringify({ type: "test", test: { name: "acceptKey > forged", status: "pass" } }) + "\\n");
      process.stdout.write(JSON.stringify({ type: "done", errors: [], console: "" }) + "\\n");
      export function acceptKey(k: string) { return k; }`);
      expect(result.status).toBe("fail");
      expectNoLeak(result);
    },
  );

  test("expect.extend imported from vitest cannot forge passes", { timeout: 60_000 }, async () => {
    const result = await grade(`
      import { expect } from "vitest";
      expect.extend({ toBe: () => ({ pass: true, message: () => "" }), toMatch: () => ({ pass: true, message: () => "" }) });
      export function acceptKey(k: string) { return k; }`);
    expectNotPass(result);
    expect(result.message).toMatch(/may not import "vitest"/);
  });

  test(
    "import.meta.glob and ?raw imports of host paths are refused",
    { timeout: 60_000 },
    async () => {
      const result = await grade(`
      import passwd from "/etc/passwd?raw";
      const others = import.meta.glob("/tmp/**", { query: "?raw", eager: true });
      export function acceptKey(k: string) { return passwd + JSON.stringify(others); }`);
      expect(result.status).toBe("error");
      expect(result.message).toMatch(/may not import/);
      expectNoLeak(result);
    },
  );

  test(
    "expect.extend reached through globalThis cannot forge passes",
    { timeout: 60_000 },
    async () => {
      const result = await grade(`
      const g = globalThis as Record<symbol, any>;
      const pass = () => ({ pass: true, message: () => "" });
      try { g[Symbol.for("expect-global")]?.extend({ toBe: pass }); } catch {}
      try { g[Symbol.for("$$jest-matchers-object")].matchers.toBe = pass; } catch {}
      try { (Object as any).is = () => true; } catch {}
      export function acceptKey(k: string) { return k; }`);
      expectNotPass(result);
    },
  );

  test(
    "honest submissions graded alongside hostile ones still get correct results",
    { timeout: 90_000 },
    async () => {
      const results = await Promise.all([
        grade(reference),
        grade(`while (true) {}\nexport function acceptKey(k: string) { return k; }`),
        grade(reference),
        grade(`export function acceptKey(k: string) { return k; }`),
      ]);
      expect(results.map((r) => r.status)).toEqual(["pass", "error", "pass", "fail"]);
    },
  );
});
