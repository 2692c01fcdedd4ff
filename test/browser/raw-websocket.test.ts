import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { WebSocket as NodeWebSocket } from "ws";
import type { CaptureEntryJson } from "../../sandbox-server/capture/index.ts";
import { FrameParser } from "../../src/protocol/index.ts";
import { browserAvailable, launchChromium } from "../support/chromium.ts";
import { startSandbox, type RunningSandbox } from "../support/sandbox.ts";

/** What the page's WebSocket saw, returned from the browser. */
interface BrowserRun {
  echoes: string[];
  binaryHex: string;
  close: { code: number; reason: string; wasClean: boolean };
}

describe.runIf(browserAvailable())("/ws/raw with Chromium's WebSocket", () => {
  let browser: Browser;
  let sandbox: RunningSandbox;
  let page: Page;

  beforeAll(async () => {
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox()]);
    page = await browser.newPage();
    await page.goto(`${sandbox.http}/healthz`);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.server.close();
  });

  it("opens, echoes text and binary, and closes with the code and reason it sent", async () => {
    const run = await page.evaluate(async (url): Promise<BrowserRun> => {
      const socket = new WebSocket(url);
      socket.binaryType = "arraybuffer";
      const received: (string | ArrayBuffer)[] = [];
      let wake = () => {};
      socket.onmessage = (event) => {
        received.push(event.data as string | ArrayBuffer);
        wake();
      };
      const until = (count: number) =>
        new Promise<void>((resolve) => {
          wake = () => received.length >= count && resolve();
          wake();
        });
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      socket.send("héllo from Chromium");
      socket.send("x".repeat(70_000 / 2)); // 35 000 bytes: a 16-bit extended length
      socket.send(new Uint8Array([0, 1, 254, 255]));
      await until(3);
      const closed = new Promise<CloseEvent>((resolve) => (socket.onclose = resolve));
      socket.close(4001, "bye from Chromium");
      const close = await closed;
      const bytes = new Uint8Array(received[2] as ArrayBuffer);
      return {
        echoes: [received[0] as string, String((received[1] as string).length)],
        binaryHex: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
        close: { code: close.code, reason: close.reason, wasClean: close.wasClean },
      };
    }, `${sandbox.ws}/ws/raw`);
    expect(run.echoes).toEqual(["héllo from Chromium", "35000"]);
    expect(run.binaryHex).toBe("0001feff");
    expect(run.close).toEqual({ code: 4001, reason: "bye from Chromium", wasClean: true });
  });

  it("sees a refused handshake (invalid capture id) as close code 1006", async () => {
    const code = await page.evaluate(async (url) => {
      const socket = new WebSocket(url);
      return new Promise<number>((resolve) => (socket.onclose = (event) => resolve(event.code)));
    }, `${sandbox.ws}/ws/raw?capture=bad`);
    expect(code).toBe(1006);
  });

  it("is recorded byte for byte when opened with capture=<id>", async () => {
    const id = `chromium-raw-${process.pid}`;
    await page.evaluate(async (url) => {
      const socket = new WebSocket(url);
      await new Promise((resolve) => (socket.onopen = resolve));
      socket.send("Hello");
      await new Promise((resolve) => (socket.onmessage = resolve));
      socket.close(1000);
      await new Promise((resolve) => (socket.onclose = resolve));
    }, `${sandbox.ws}/ws/raw?capture=${id}`);
    const entries = await new Promise<CaptureEntryJson[]>((resolve) => {
      const tap = new NodeWebSocket(`${sandbox.ws}/ws/tap?capture=${id}`);
      const seen: CaptureEntryJson[] = [];
      tap.on("message", (data) => {
        seen.push(JSON.parse(data.toString()) as CaptureEntryJson);
        if (seen.at(-1)?.kind === "end") {
          tap.close();
          resolve(seen);
        }
      });
    });
    const handshake = entries[0];
    expect(handshake.kind === "handshake" && handshake.request).toMatch(
      /\r\nUser-Agent: [^\r]*Chrome/,
    );
    const parser = new FrameParser({ role: "server" });
    const messages = entries.flatMap((entry) =>
      entry.kind === "data" && entry.direction === "client"
        ? parser.push(new Uint8Array(Buffer.from(entry.bytes, "base64"))).messages
        : [],
    );
    expect(messages.map((m) => [m.type, m.text])).toEqual([
      ["text", "Hello"],
      ["close", ""],
    ]);
  });
});
