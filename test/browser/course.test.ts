import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import { startSandbox, type RunningSandbox } from "../support/sandbox.ts";

describe.runIf(browserAvailable())("course features in Chromium", () => {
  let browser: Browser;
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox()]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  it("marks a lesson read once its end was on screen, on the home page and in the navigation", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${sandbox.http}/`);
    const summary = page.locator(".progress-summary");
    expect(await summary.textContent()).toContain("kept in this browser");

    await page.goto(`${sandbox.http}/lessons/what-is-a-websocket/`);
    const navMark = page.locator(".course-nav a[data-lesson='what-is-a-websocket'] .read-mark");
    expect(await navMark.isHidden()).toBe(true);
    await page.locator(".lesson-pager").scrollIntoViewIfNeeded();
    await navMark.waitFor({ state: "visible" });

    await page.goto(`${sandbox.http}/`);
    await expect.poll(() => summary.textContent()).toMatch(/Your progress: 1 of \d+ lessons read/);
    expect(await page.locator("[data-status-for='what-is-a-websocket']").textContent()).toContain(
      "read",
    );
    await context.close();
  });

  it("finds a lesson by a word in its text, from the keyboard", async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.http}/`);
    await page.keyboard.press("/");
    const input = page.getByRole("searchbox", { name: "Search lessons" });
    await input.waitFor();
    await input.fill("bufferedAmount");
    // Several lessons mention it; the lesson that introduces it must be among the results.
    const result = page.locator(".search-results a[href*='/lessons/what-is-a-websocket/']");
    await result.waitFor();
    expect(await result.locator("mark").first().textContent()).toMatch(/bufferedAmount/i);
    await page.close();
  });

  it("prints a lesson without the navigation, demos or theme toggle", async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.http}/lessons/what-is-a-websocket/`);
    await page.emulateMedia({ media: "print" });
    for (const selector of [".site-header", ".course-nav", ".live-demo", ".lesson-pager"]) {
      expect(await page.locator(selector).first().isHidden(), selector).toBe(true);
    }
    expect(await page.locator("article.prose").isVisible()).toBe(true);
    await page.close();
  });
});
