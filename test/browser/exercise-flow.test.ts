import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createFeatures } from "../../sandbox-server/features.ts";
import { createGradingFeature } from "../../sandbox-server/grading/index.ts";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import {
  DIST,
  ROOT,
  startSandbox,
  startStaticHost,
  type RunningSandbox,
} from "../support/sandbox.ts";

const EXERCISE = "handshake-accept";
const PAGE = `/exercises/${EXERCISE}/`;
const reference = readFileSync(`${ROOT}exercises/${EXERCISE}/reference.ts`, "utf8");
const starter = readFileSync(`${ROOT}exercises/${EXERCISE}/solution.ts`, "utf8");
const DESKTOP = { width: 1280, height: 900 };
/** Monaco loads and two submissions are graded on a busy 2-core machine. */
const FLOW_TIMEOUT = 120_000;
/** Waiting for something in the page (autosave, a hint, a state) — not a fixed sleep. */
const SOON = { timeout: 10_000 };

/** The server's own features, with grading even before features.ts lists it. */
function featuresWithGrading() {
  const features = createFeatures({ root: ROOT });
  if (!features.some((feature) => feature.name === "grading")) {
    features.push(createGradingFeature({ exercisesDir: `${ROOT}exercises` }));
  }
  return features;
}

/** Waits until a run is over and returns its final state (pass, fail or error). */
async function runFinished(page: Page): Promise<string> {
  const view = page.locator("exercise-view");
  await expect
    .poll(() => view.getAttribute("data-state"), { timeout: 30_000 })
    .toMatch(/^(pass|fail|error)$/);
  return (await view.getAttribute("data-state"))!;
}

/**
 * Replaces everything in Monaco with `text`, as a student pasting it would
 * (typing would meet auto-closing brackets and auto-indent).
 */
async function typeIntoMonaco(page: Page, text: string): Promise<void> {
  await page.locator("exercise-view .monaco-editor .view-lines").click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.evaluate((pasted) => {
    const clipboardData = new DataTransfer();
    clipboardData.setData("text/plain", pasted);
    document.activeElement!.dispatchEvent(
      new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }),
    );
  }, text);
}

function codeInPage(page: Page): Promise<string> {
  return page.locator("exercise-view [data-role='textarea']").inputValue();
}

describe.runIf(browserAvailable())("exercise view in Chromium", { timeout: FLOW_TIMEOUT }, () => {
  let browser: Browser;
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox(featuresWithGrading())]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  describe("a student on a desktop", () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      context = await browser.newContext({ viewport: DESKTOP });
      page = await context.newPage();
    });
    afterAll(() => context?.close());

    it("runs the starter, reads the failures, fixes the code in Monaco and passes", async () => {
      await page.goto(`${sandbox.http}${PAGE}`);
      const view = page.locator("exercise-view");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain(
        "Sec-WebSocket-Accept",
      );
      // Monaco arrives on demand, with the starter in it.
      await expect.poll(() => view.getAttribute("data-editor"), { timeout: 30_000 }).toBe("monaco");
      await page.locator("exercise-view .monaco-editor .view-lines").waitFor();

      await view.getByRole("button", { name: "Run tests" }).click();
      expect(await runFinished(page)).toBe("fail");
      const tests = view.locator("li.test");
      expect(await tests.count()).toBeGreaterThanOrEqual(3);
      const failed = view.locator("li.test[data-status='fail']");
      expect(await failed.count()).toBe(await tests.count());
      // Each failure says why, and what was expected against what was received.
      const first = failed.first();
      expect((await first.locator(".test-message").textContent())?.length).toBeGreaterThan(5);
      expect(await first.locator(".compare").textContent()).toContain("Expected");
      expect(await first.locator(".compare").textContent()).toContain(
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
      );
      expect(await view.getByRole("status").textContent()).toMatch(/0 of \d+ tests passed/);

      await typeIntoMonaco(page, reference);
      await expect.poll(() => codeInPage(page), SOON).toBe(reference);
      await page.keyboard.press("ControlOrMeta+Enter"); // the shortcut, inside the editor
      expect(await runFinished(page)).toBe("pass");
      expect(await view.locator("li.test[data-status='pass']").count()).toBe(await tests.count());
      expect(await view.getByRole("status").textContent()).toContain("Passed");

      // After a pass the reference solution is one click away, with no confirmation.
      await view.getByRole("button", { name: "Compare with the reference solution" }).click();
      const solution = view.locator("[data-role='solution']");
      await solution.waitFor({ state: "visible" });
      expect(await solution.textContent()).toContain("createHash");
      expect(await codeInPage(page)).toBe(reference);

      // The home page counts the exercise as passed.
      expect(
        await page.evaluate((id) => localStorage.getItem(`wirelab:exercise:${id}`), EXERCISE),
      ).toContain('"pass"');
      await page.goto(`${sandbox.http}/`);
      await expect
        .poll(() => page.locator(".progress-summary").textContent(), SOON)
        .toMatch(/[1-9]\d* of \d+ exercises passed/);
    });

    it("keeps the student's code across a reload (autosave)", async () => {
      await page.goto(`${sandbox.http}${PAGE}`);
      const view = page.locator("exercise-view");
      await expect.poll(() => view.getAttribute("data-editor"), { timeout: 30_000 }).toBe("monaco");
      const mine = `${starter}\n// my notes: GUID first, then SHA-1\n`;
      await typeIntoMonaco(page, mine);
      await expect
        .poll(() => view.locator("[data-role='save-state']").textContent(), SOON)
        .toContain("Saved");
      await page.reload();
      await expect.poll(() => view.getAttribute("data-editor"), { timeout: 30_000 }).toBe("monaco");
      expect(await codeInPage(page)).toBe(mine);
      // Monaco draws spaces as no-break spaces.
      const shown = await page.locator("exercise-view .monaco-editor .view-lines").textContent();
      expect(shown?.replace(/\u00a0/g, " ")).toContain("my notes");
    });

    it("resets to the starter only after a confirmation", async () => {
      await page.goto(`${sandbox.http}${PAGE}`);
      const view = page.locator("exercise-view");
      await expect.poll(() => view.getAttribute("data-editor"), { timeout: 30_000 }).toBe("monaco");
      await typeIntoMonaco(page, "export const broken = ;\n");
      await expect.poll(() => codeInPage(page), SOON).toBe("export const broken = ;\n");

      await view.getByRole("button", { name: "Reset to starter" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      expect(await codeInPage(page)).toBe("export const broken = ;\n");

      await view.getByRole("button", { name: "Reset to starter" }).click();
      await dialog.getByRole("button", { name: "Reset" }).click();
      await expect.poll(() => codeInPage(page), SOON).toBe(starter);
      await page.reload();
      expect(await codeInPage(page)).toBe(starter);
    });

    it("explains a syntax error in words and marks its line in Monaco", async () => {
      await page.goto(`${sandbox.http}${PAGE}`);
      const view = page.locator("exercise-view");
      await expect.poll(() => view.getAttribute("data-editor"), { timeout: 30_000 }).toBe("monaco");
      await typeIntoMonaco(
        page,
        "export function acceptKey(key: string): string {\n  return key +;\n}\n",
      );
      await view.getByRole("button", { name: "Run tests" }).click();
      expect(await runFinished(page)).toBe("error");
      const explanation = view.locator("[data-role='explanation']");
      expect(await explanation.getAttribute("role")).toBe("alert");
      // The grader's own message is part of the failure output if this does not match.
      expect(await explanation.innerText()).toMatch(/^Syntax error on line 2/);
      await page.locator("exercise-view .wirelab-error-line").waitFor();
      await view.getByRole("button", { name: "Reset to starter" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Reset" }).click();
    });

    it("reveals hints one at a time", async () => {
      await page.goto(`${sandbox.http}${PAGE}`);
      const view = page.locator("exercise-view");
      const hints = view.locator("[data-role='hints'] li");
      const total = await hints.count();
      expect(total).toBeGreaterThanOrEqual(2);
      expect(await view.locator("[data-role='hints'] li:visible").count()).toBe(0);
      for (let shown = 1; shown <= total; shown++) {
        await view.getByRole("button", { name: `Show hint ${shown} of ${total}` }).click();
        expect(await view.locator("[data-role='hints'] li:visible").count()).toBe(shown);
        await expect
          .poll(() => page.evaluate(() => document.activeElement?.className))
          .toContain("hint");
      }
      expect(await view.locator("[data-role='hint']").isHidden()).toBe(true);
      expect(await view.getByText("That was the last hint.").isVisible()).toBe(true);
    });

    it("shows the reference solution before a pass only after a confirmation", async () => {
      const fresh = await browser.newContext({ viewport: DESKTOP });
      const other = await fresh.newPage();
      await other.goto(`${sandbox.http}${PAGE}`);
      const view = other.locator("exercise-view");
      await view.getByRole("button", { name: "Show solution" }).click();
      await other.getByRole("dialog").getByRole("button", { name: "Show solution" }).click();
      await view.locator("[data-role='solution']").waitFor({ state: "visible" });
      expect(await other.locator("exercise-view [data-role='textarea']").inputValue()).toBe(
        starter,
      );
      await fresh.close();
    });
  });

  it("at phone width uses the plain editor and still grades", async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(`${sandbox.http}${PAGE}`);
    const view = page.locator("exercise-view");
    const textarea = view.getByRole("textbox", { name: /solution\.ts/ });
    await textarea.fill(reference);
    await view.getByRole("button", { name: "Run tests" }).click();
    expect(await runFinished(page)).toBe("pass");
    expect(await view.getAttribute("data-editor")).toBe("plain");
    expect(await page.locator(".monaco-editor").count()).toBe(0);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await context.close();
  });

  describe("without a sandbox server (static host)", () => {
    let staticHost: Awaited<ReturnType<typeof startStaticHost>>;
    let url: string;
    beforeAll(async () => {
      staticHost = await startStaticHost(DIST);
      url = staticHost.url;
    });
    afterAll(() => staticHost.close());

    it("shows the instructions and the editor, and says grading needs npm start", async () => {
      const page = await browser.newPage({ viewport: DESKTOP });
      await page.goto(`${url}${PAGE}`);
      const view = page.locator("exercise-view");
      const notice = view.getByRole("alert");
      await notice.waitFor();
      expect(await notice.textContent()).toContain("Grading needs the sandbox server");
      expect(await notice.textContent()).toContain("npm start");
      expect(await view.locator(".instructions").textContent()).toContain(
        "dGhlIHNhbXBsZSBub25jZQ==",
      );
      await expect.poll(() => view.getAttribute("data-editor"), { timeout: 30_000 }).toBe("monaco");

      await view.getByRole("button", { name: "Run tests" }).click();
      await expect.poll(() => view.getByRole("status").textContent()).toContain("can't be reached");
      await page.close();
    });
  });
});
