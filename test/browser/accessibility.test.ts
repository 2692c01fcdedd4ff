import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import { DIST, startSandbox, type RunningSandbox } from "../support/sandbox.ts";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** Every built page, as a URL path (`dist/lessons/x/index.html` → `/lessons/x/`). */
function builtPages(dir = DIST): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === "_astro" ? [] : builtPages(path);
    if (!entry.endsWith(".html")) return [];
    const url = `/${relative(DIST, path)}`;
    return [url.endsWith("/index.html") ? url.slice(0, -"index.html".length) : url];
  });
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

describe.runIf(browserAvailable())("accessibility (axe-core) of every built page", () => {
  let browser: Browser;
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox()]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  const pages = builtPages();
  it("finds the pages to check", () => {
    expect(pages).toContain("/");
    expect(pages).toContain("/lessons/what-is-a-websocket/");
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it.each(pages)(`%s has no serious or critical violations (${colorScheme})`, async (path) => {
      const page = await browser.newPage({ colorScheme });
      await page.goto(`${sandbox.http}${path}`, { waitUntil: "networkidle" });
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as { axe: { run: () => Promise<{ violations: Violation[] }> } }
        ).axe;
        return (await axe.run()).violations;
      });
      await page.close();
      const blocking = violations
        .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
        .map(
          (v) =>
            `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        );
      expect(blocking).toEqual([]);
    });
  }
});
