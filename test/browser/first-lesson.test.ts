import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import { DIST, startSandbox, startStaticHost, type RunningSandbox } from "../support/sandbox.ts";

const LESSON = "/lessons/what-is-a-websocket/";

describe.runIf(browserAvailable())("first lesson in Chromium", () => {
  let browser: Browser;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox()]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  it("connects to /ws/echo, sends a message and shows its echo in the log", async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.http}${LESSON}`);
    const demo = page.locator("live-demo[data-endpoint='/ws/echo']");
    await demo.getByRole("button", { name: "Connect", exact: true }).click();
    await expect.poll(() => demo.getByRole("status").textContent()).toContain("OPEN");

    await demo.getByLabel("Message to send").fill("héllo from Chromium");
    await demo.getByRole("button", { name: "Send", exact: true }).click();

    const received = demo.locator("li[data-direction='received']");
    await received.first().waitFor();
    expect(await received.first().locator(".data").textContent()).toBe("héllo from Chromium");
    // 19 characters, 20 UTF-8 bytes ("é" takes two): the log counts bytes.
    expect(await received.first().locator(".size").textContent()).toBe("20 B");
    const sent = demo.locator("li[data-direction='sent'] .data");
    expect(await sent.first().textContent()).toBe("héllo from Chromium");

    await demo.getByLabel("Close code").selectOption("4000");
    await demo.getByLabel("Reason").fill("done here");
    await demo.getByRole("button", { name: "Disconnect" }).click();
    const closeEntry = demo.locator("li[data-direction='event']", { hasText: "close:" });
    await closeEntry.waitFor();
    expect(await closeEntry.textContent()).toContain("code 4000");
    expect(await closeEntry.textContent()).toContain("done here");
    await page.close();
  });

  it("shows the server speaking first on /ws/push", async () => {
    const page = await browser.newPage();
    await page.goto(`${sandbox.http}${LESSON}`);
    const demo = page.locator("live-demo[data-endpoint='/ws/push']");
    await demo.getByRole("button", { name: "Connect", exact: true }).click();
    const received = demo.locator("li[data-direction='received']");
    await received.first().waitFor({ timeout: 2000 });
    expect(await received.first().textContent()).toContain("The server spoke first");
    expect(await demo.locator("li[data-direction='sent']").count()).toBe(0);
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

    it("says plainly that the sandbox is unreachable and how to start it", async () => {
      const page = await browser.newPage();
      await page.goto(`${url}${LESSON}`);
      const demo = page.locator("live-demo[data-endpoint='/ws/echo']");
      const notice = demo.getByRole("alert");
      await notice.waitFor();
      expect(await notice.textContent()).toContain("can't be reached");
      expect(await notice.textContent()).toContain("npm start");

      // Trying anyway gives the same clear answer, not silence.
      await demo.getByRole("button", { name: "Connect", exact: true }).click();
      await demo.locator("li[data-direction='event']", { hasText: "close:" }).waitFor();
      expect(await notice.isVisible()).toBe(true);
      await expect.poll(() => demo.getByRole("status").textContent()).toContain("CLOSED");
      await page.close();
    });
  });
});
