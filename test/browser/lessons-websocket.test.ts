import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { acceptKeySync } from "../../src/protocol/accept-key.ts";
import { QUIZ_COMPLETE_EVENT, quizStorageKey } from "../../src/components/quiz-model.ts";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import { startSandbox, type RunningSandbox } from "../support/sandbox.ts";

const LESSONS = {
  handshake: "/lessons/opening-handshake/",
  frames: "/lessons/frames/",
  staying: "/lessons/staying-connected/",
  production: "/lessons/running-in-production/",
};

/** `expect.poll` with room for a busy machine: demos talk to a real server. */
function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 10_000 });
}

describe.runIf(browserAvailable())("WebSocket lessons in Chromium", { timeout: 60_000 }, () => {
  let browser: Browser;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox()]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${sandbox.http}${path}`);
    return page;
  }

  /** Connects a `<LiveDemo>`, sends `text` and expects the same text back. */
  async function echoRoundTrip(page: Page, endpoint: string, text: string) {
    const demo = page.locator(`live-demo[data-endpoint='${endpoint}']`).first();
    await demo.getByRole("button", { name: "Connect", exact: true }).click();
    await eventually(() => demo.getByRole("status").textContent()).toContain("OPEN");
    await demo.getByLabel("Message to send").fill(text);
    await demo.getByRole("button", { name: "Send", exact: true }).click();
    const received = demo.locator("li[data-direction='received'] .data").first();
    await received.waitFor();
    expect(await received.textContent()).toBe(text);
    return demo;
  }

  describe("the opening handshake", () => {
    it("computes the RFC 6455 example accept, then any key the student types", async () => {
      const page = await open(LESSONS.handshake);
      const calculator = page.locator("handshake-calculator");
      const accept = calculator.locator("[data-role=accept]");
      await eventually(() => accept.textContent()).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      expect(await calculator.locator("[data-role=sha1]").textContent()).toBe(
        "b37a4f2cc0624f1690f64606cf385945b2bec4ea",
      );

      const key = "AQIDBAUGBwgJCgsMDQ4PEA==";
      await calculator.getByLabel("Sec-WebSocket-Key").fill(key);
      await eventually(() => accept.textContent()).toBe(acceptKeySync(key).accept);
      expect(await calculator.locator("[data-role=validity]").textContent()).toContain(
        "well-formed",
      );

      await calculator.getByLabel("Sec-WebSocket-Key").fill("not a key");
      await eventually(() => calculator.locator("[data-role=validity]").textContent()).toContain(
        "Not a well-formed key",
      );
      await calculator.getByRole("button", { name: "RFC example" }).click();
      await eventually(() => accept.textContent()).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      await page.close();
    });

    it("captures the student's own handshake from the tap and checks its accept", async () => {
      const page = await open(LESSONS.handshake);
      const inspector = page.locator("handshake-inspector");
      await inspector.getByRole("checkbox").check();
      await inspector.getByRole("button", { name: "Connect and capture" }).click();
      const check = inspector.locator("[data-role=check]");
      await eventually(() => check.textContent()).toContain("Accept matches");
      expect(await check.textContent()).toContain("chat.v2");
      const request = await inspector.locator("[data-role=request]").textContent();
      expect(request).toMatch(/^GET \/ws\/echo\?capture=/);
      expect(request).toContain("Sec-WebSocket-Version: 13");
      expect(request).toContain(`Origin: ${sandbox.http}`);
      expect(await inspector.locator("[data-role=response]").textContent()).toContain(
        "101 Switching Protocols",
      );
      await page.close();
    });

    it("explains a refused handshake and echoes on the hand-written /ws/raw", async () => {
      const page = await open(LESSONS.handshake);
      const refused = page.locator("live-demo[data-endpoint='/ws/does-not-exist']");
      await refused.getByRole("button", { name: "Connect", exact: true }).click();
      await eventually(() => refused.getByRole("alert").textContent()).toContain("refused");
      await echoRoundTrip(page, "/ws/raw", "handshake by hand");
      await page.close();
    });
  });

  describe("frames", () => {
    it("echoes text on /ws/raw and echoes the student's close code", async () => {
      const page = await open(LESSONS.frames);
      const demo = await echoRoundTrip(page, "/ws/raw", "héllo, raw frames");
      await demo.getByLabel("Close code").selectOption("4000");
      await demo.getByLabel("Reason").fill("bye raw");
      await demo.getByRole("button", { name: "Disconnect" }).click();
      const closeEntry = demo.locator("li[data-direction='event']", { hasText: "close:" });
      await closeEntry.waitFor();
      expect(await closeEntry.textContent()).toContain("code 4000");
      expect(await closeEntry.textContent()).toContain("clean");
      await page.close();
    });

    it("renders the close-code table from src/protocol, marking 1005, 1006 and 1015", async () => {
      const page = await open(LESSONS.frames);
      const never = page.locator(".close-codes tr[data-sendable='false'] th code");
      expect(await never.allTextContents()).toEqual(["1004", "1005", "1006", "1015"]);
      await page.close();
    });
  });

  describe("staying connected", () => {
    it("retries a refused server with backoff, then connects when it comes up", async () => {
      const page = await open(LESSONS.staying);
      const lab = page.locator("reconnect-lab");
      // Short delays keep the test fast; the policy inputs are what the student edits.
      await lab.getByLabel("base (ms)").fill("50");
      await lab.getByLabel("cap (ms)").fill("200");
      await lab.getByRole("button", { name: "Start" }).click();
      const log = lab.locator("[data-role=log]");
      await eventually(() => log.textContent()).toContain("retry 2 in");
      expect(await log.textContent()).toContain("connect to /ws/offline");

      await lab.getByRole("radio", { name: /up/ }).check();
      await eventually(() => log.textContent()).toMatch(/open after \d+ retries/);
      await eventually(() => lab.getByRole("status").textContent()).toContain("Connected");

      await lab.getByRole("button", { name: "Drop the connection" }).click();
      await eventually(() => log.textContent()).toContain("close 4000");
      await eventually(() => log.locator("li").last().textContent()).toContain("open");
      await lab.getByRole("button", { name: "Stop" }).click();
      await page.close();
    });

    it("simulates full jitter within the ceilings and no jitter at exactly the ceilings", async () => {
      const page = await open(LESSONS.staying);
      const lab = page.locator("reconnect-lab");
      const values = () => lab.locator("[data-role=delays] .value").allTextContents();
      for (const [index, text] of (await values()).entries()) {
        const [delay, ceiling] = text.replace(" ms", "").split(" / ").map(Number);
        expect(ceiling).toBe(Math.min(8000, 500 * 2 ** index));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
      await lab.locator("select").selectOption("none");
      expect(await values()).toEqual([
        "500 ms",
        "1000 ms",
        "2000 ms",
        "4000 ms",
        "8000 ms",
        "8000 ms",
        "8000 ms",
      ]);
      expect(await lab.locator("[data-role=herd] svg").getAttribute("aria-label")).toContain(
        "retry 1: all 20 clients at 0.50 s",
      );
      await page.close();
    });

    it("echoes on /ws/echo", async () => {
      const page = await open(LESSONS.staying);
      await echoRoundTrip(page, "/ws/echo", "still here");
      await page.close();
    });
  });

  describe("running it for real", () => {
    it("echoes on /ws/echo and shows the Origin header the browser sent", async () => {
      const page = await open(LESSONS.production);
      await echoRoundTrip(page, "/ws/echo", "in production");
      const inspector = page.locator("handshake-inspector");
      await inspector.getByRole("button", { name: "Connect and capture" }).click();
      await eventually(() => inspector.locator("[data-role=request]").textContent()).toContain(
        `Origin: ${sandbox.http}`,
      );
      await page.close();
    });
  });

  describe("the quiz", () => {
    it("explains a wrong answer, then a right one chosen with the keyboard", async () => {
      const page = await open(LESSONS.handshake);
      const quiz = page.locator("wirelab-quiz");
      // With JavaScript the answers are not given away up front.
      expect(await quiz.locator("details.quiz-answer").first().isVisible()).toBe(false);

      const first = quiz.locator(".quiz-question").first();
      await first.getByRole("radio", { name: /logged in/ }).check();
      await first.getByRole("button", { name: "Check answer" }).click();
      const feedback = first.locator("[data-role=feedback]");
      expect(await feedback.textContent()).toContain("Not quite");
      expect(await feedback.evaluate((node) => node === document.activeElement)).toBe(true);
      const whys = first.locator("[data-role=why]");
      expect(await whys.count()).toBe(4);
      for (const why of await whys.all()) expect(await why.isVisible()).toBe(true);
      expect(await first.locator(".quiz-choice[data-state=right]").textContent()).toContain(
        "read and understood a WebSocket opening handshake",
      );

      // Keyboard only: focus the first choice of question 2, then Enter checks it.
      const second = quiz.locator(".quiz-question").nth(1);
      await second.getByRole("radio").first().focus();
      await page.keyboard.press("Space");
      await page.keyboard.press("Enter");
      expect(await second.locator("[data-role=feedback]").textContent()).toMatch(/^Right/);
      await page.close();
    });

    it("asks for a choice before checking", async () => {
      const page = await open(LESSONS.frames);
      const question = page.locator("wirelab-quiz .quiz-question").first();
      await question.getByRole("button", { name: "Check answer" }).click();
      expect(await question.locator("[data-role=feedback]").textContent()).toBe(
        "Choose an answer first.",
      );
      await page.close();
    });

    it("stores the result under wirelab:quiz:<lesson> and dispatches the completion event", async () => {
      const page = await open(LESSONS.frames);
      await page.evaluate((name) => {
        const target = window as unknown as { quizEvent?: unknown };
        document.addEventListener(name, (event) => {
          target.quizEvent = (event as CustomEvent).detail;
        });
      }, QUIZ_COMPLETE_EVENT);
      const questions = page.locator("wirelab-quiz .quiz-question");
      const count = await questions.count();
      for (let index = 0; index < count; index++) {
        const question = questions.nth(index);
        // Answer every question right except the first.
        const right = Number(await question.getAttribute("data-correct"));
        const choice = index === 0 ? (right + 1) % 3 : right;
        await question.getByRole("radio").nth(choice).check();
        await question.getByRole("button", { name: "Check answer" }).click();
      }
      const result = page.locator("wirelab-quiz [data-role=result-text]");
      expect(await result.textContent()).toContain(`${count - 1} of ${count}`);

      const stored = JSON.parse(
        (await page.evaluate((key) => localStorage.getItem(key), quizStorageKey("frames"))) ?? "{}",
      );
      expect(stored).toMatchObject({ score: count - 1, total: count });
      expect(Number.isNaN(Date.parse(stored.completedAt))).toBe(false);
      const detail = await page.evaluate(
        () => (window as unknown as { quizEvent?: unknown }).quizEvent,
      );
      expect(detail).toEqual({ lesson: "frames", ...stored });

      // A later visit shows the previous result; "Try again" resets the questions.
      await page.reload();
      expect(await page.locator("wirelab-quiz [data-role=previous]").textContent()).toContain(
        `Last time: ${count - 1} of ${count}`,
      );
      await page.close();
    });
  });
});
