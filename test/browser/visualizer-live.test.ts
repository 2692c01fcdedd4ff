import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import { DIST, startSandbox, startStaticHost, type RunningSandbox } from "../support/sandbox.ts";

const LESSON = "/lessons/what-is-a-websocket/";
const MESSAGES = ["one", "héllo wire", "the third message"];

interface Step {
  label: string;
  value: string;
}

async function currentStep(viz: Locator): Promise<Step> {
  return {
    label: (await viz.locator("[data-role=step-label]").textContent()) ?? "",
    value:
      (await viz
        .locator("[data-role=step-value]")
        .textContent()
        .catch(() => "")) ?? "",
  };
}

/** Presses → until the frame is complete; returns every step seen (the first one included). */
async function stepThroughFrame(page: Page, viz: Locator): Promise<Step[]> {
  const steps = [await currentStep(viz)];
  for (let i = 0; i < 80 && steps.at(-1)!.label !== "Frame complete"; i++) {
    await page.keyboard.press("ArrowRight");
    steps.push(await currentStep(viz));
  }
  return steps;
}

describe.runIf(browserAvailable())("frame visualizer in Chromium", { timeout: 180_000 }, () => {
  let browser: Browser;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox()]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  it("follows the echo demo live and steps through the frames of three messages with the keyboard", async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.http}${LESSON}`);
    const demo = page.locator("live-demo[data-endpoint='/ws/echo']");
    const viz = page.locator("frame-visualizer[data-follow='/ws/echo']");
    await demo.getByRole("button", { name: "Connect", exact: true }).click();
    await expect
      .poll(() => demo.getByRole("status").textContent(), { timeout: 15_000 })
      .toContain("OPEN");
    for (const [index, message] of MESSAGES.entries()) {
      await demo.getByLabel("Message to send").fill(message);
      await demo.getByRole("button", { name: "Send", exact: true }).click();
      await demo.locator("li[data-direction='received']").nth(index).waitFor();
    }
    await page.locator("frame-visualizer[data-follow='/ws/echo'][data-ready]").waitFor();
    // The handshake and six frames, in the order they crossed the wire.
    await expect
      .poll(() => viz.locator(".fv-counts").textContent(), { timeout: 15_000 })
      .toMatch(/^7 items · 6 frames/);
    expect(await viz.locator(".fv-mode").textContent()).toBe("live");

    const timeline = viz.getByRole("listbox");
    await timeline.focus();
    await page.keyboard.press("Home");
    expect((await currentStep(viz)).label).toBe("Request");

    for (const message of MESSAGES) {
      const sent = new TextEncoder().encode(message);
      await page.keyboard.press("Shift+ArrowRight"); // the client's frame
      const steps = await stepThroughFrame(page, viz);
      const value = (label: string) => steps.find((step) => step.label === label)?.value;
      expect(value("FIN")).toBe("1");
      expect(value("opcode")).toBe("0x1 text (0001)");
      expect(value("MASK")).toBe("1");
      expect(value("Payload len")).toBe(
        `${sent.length} (${sent.length.toString(2).padStart(7, "0")})`,
      );
      const key = value("Masking-key")!;
      expect(key).toMatch(/^[0-9a-f]{2}( [0-9a-f]{2}){3}$/);
      expect(value("Payload data")).toBe(`${sent.length} bytes`);

      // The bytes on the wire: 0x81, 0x80 | length, the key, then the masked payload.
      const hex = await viz.locator("[data-hex]").allTextContents();
      expect(hex.slice(0, 2)).toEqual(["81", (0x80 | sent.length).toString(16)]);
      expect(hex.slice(2, 6).join(" ")).toBe(key);
      const keyBytes = key.split(" ").map((byte) => parseInt(byte, 16));
      const wire = hex.slice(6).map((byte) => parseInt(byte, 16));
      expect(wire.map((byte, i) => byte ^ keyBytes[i % 4])).toEqual([...sent]);

      // Each payload step shows the XOR with the real key, byte by byte.
      const byteSteps = steps.filter((step) => step.label.startsWith("Payload byte "));
      expect(byteSteps).toHaveLength(sent.length);
      byteSteps.forEach((step, i) => {
        const [w, k, plain] = [...step.value.matchAll(/0x([0-9a-f]{2})/g)].map((m) =>
          parseInt(m[1], 16),
        );
        expect([w, k, plain]).toEqual([wire[i], keyBytes[i % 4], sent[i]]);
      });
      expect(await viz.locator("[data-role=announce]").textContent()).toContain("Frame complete");

      // The server's echo: same payload, not masked.
      await page.keyboard.press("Shift+ArrowRight");
      const echo = await stepThroughFrame(page, viz);
      expect(echo.find((step) => step.label === "MASK")?.value).toBe("0");
      expect(echo.some((step) => step.label === "Masking-key")).toBe(false);
    }
    await page.close();
  });

  describe("without a sandbox server (static host)", () => {
    let staticHost: Awaited<ReturnType<typeof startStaticHost>>;
    let url: string;
    beforeAll(async () => {
      staticHost = await startStaticHost(DIST);
      url = staticHost.url;
    });
    afterAll(() => staticHost.close());

    it("replays a recorded capture from the URL and keeps the position in it", async () => {
      const page = await browser.newPage();
      await page.goto(`${url}/visualizer/#capture=fragmented-with-ping&frame=1&step=0`);
      const viz = page.locator("frame-visualizer");
      await page.locator("frame-visualizer[data-ready]").waitFor();
      await expect
        .poll(
          () =>
            viz
              .locator(".fv-source-title, select")
              .first()
              .inputValue()
              .catch(() => ""),
          { timeout: 15_000 },
        )
        .toBe("fragmented-with-ping");
      expect((await currentStep(viz)).label).toBe("FIN");
      // The ping sent between the two fragments.
      await viz.getByRole("listbox").focus();
      await page.keyboard.press("Shift+ArrowRight");
      await stepThroughFrame(page, viz);
      await page.keyboard.press("ArrowRight");
      expect((await currentStep(viz)).label).toBe("Message complete");
      expect(await viz.locator("[data-role=step-text]").textContent()).toContain("Ping message");
      await expect
        .poll(() => page.evaluate(() => location.hash), { timeout: 15_000 })
        .toMatch(/capture=fragmented-with-ping&frame=\d+&step=\d+/);
      // Find the reassembled message.
      for (let i = 0; i < 6; i++) {
        const text = await viz
          .locator(".fv-message")
          .textContent()
          .catch(() => "");
        if (text?.includes("reassembled from 2 frames")) break;
        await page.keyboard.press("Shift+ArrowRight");
      }
      expect(await viz.locator(".fv-message").first().textContent()).toContain(
        "reassembled from 2 frames",
      );
      await page.close();
    });

    it("shows the lesson's visualizer replaying its recorded capture", async () => {
      const page = await browser.newPage();
      await page.goto(`${url}${LESSON}`);
      const viz = page.locator("frame-visualizer[data-follow='/ws/echo']");
      await viz.scrollIntoViewIfNeeded();
      await page.locator("frame-visualizer[data-follow='/ws/echo'][data-ready]").waitFor();
      await expect
        .poll(() => viz.locator(".fv-source-title").textContent(), { timeout: 15_000 })
        .toBe("Text echo");
      expect(await viz.locator(".fv-row").count()).toBeGreaterThan(3);
      await page.close();
    });
  });
});
