import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createCaptureFeature, type CaptureEntryJson } from "../../sandbox-server/capture/index.ts";
import { CaptureStore } from "../../sandbox-server/capture/capture-store.ts";
import { createDemosFeature } from "../../sandbox-server/demos/index.ts";
import {
  closeEvent,
  nextMessage,
  openSocket,
  startSandbox,
  type RunningSandbox,
} from "../support/sandbox.ts";

const clock = 1_700_000_000_000;
const now = () => clock;
const capture = createCaptureFeature({ limits: { maxBytesPerCapture: 4096, maxCaptures: 3 }, now });
let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox([createDemosFeature(), capture], undefined);
});
afterAll(() => sandbox.server.close());

function tapUntilEnd(id: string): Promise<CaptureEntryJson[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${sandbox.ws}/ws/tap?capture=${id}`);
    const entries: CaptureEntryJson[] = [];
    socket.on("message", (data) => {
      const entry = JSON.parse(data.toString()) as CaptureEntryJson;
      entries.push(entry);
      if (entry.kind === "end") {
        socket.close();
        resolve(entries);
      }
    });
    socket.once("error", reject);
  });
}

describe("capture limits", () => {
  it("truncates a capture at its byte limit, says so, and the connection carries on", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/echo?capture=truncate-me`);
    for (const size of [100, 10_000, 30_000]) {
      const reply = nextMessage(socket);
      socket.send(Buffer.alloc(size, 7));
      expect((await reply).data.length).toBe(size);
    }
    const closed = closeEvent(socket);
    socket.close();
    await closed;
    const entries = await tapUntilEnd("truncate-me");
    const kinds = entries.map((entry) => entry.kind);
    expect(kinds.filter((kind) => kind === "truncated")).toHaveLength(1);
    expect(kinds.at(-1)).toBe("end");
    expect(entries.find((entry) => entry.kind === "truncated")).toMatchObject({ limitBytes: 4096 });
    const end = entries.at(-1);
    expect(end?.kind === "end" && end.droppedBytes).toBeGreaterThan(40_000);
    const kept = entries
      .filter((entry) => entry.kind === "data")
      .reduce(
        (sum, entry) =>
          sum + (entry.kind === "data" ? Buffer.from(entry.bytes, "base64").length : 0),
        0,
      );
    expect(kept).toBeLessThanOrEqual(4096);
    expect(capture.store.get("truncate-me")?.bytes).toBeLessThanOrEqual(4096);
  });

  it("keeps at most maxCaptures, dropping the least recently used", async () => {
    for (const id of ["lru-one-1", "lru-two-2", "lru-three-3", "lru-four-4"]) {
      const socket = await openSocket(`${sandbox.ws}/ws/echo?capture=${id}`);
      const closed = closeEvent(socket);
      socket.close();
      await closed;
    }
    expect(capture.store.size).toBe(3);
    expect(capture.store.get("lru-one-1")).toBeUndefined();
    expect(capture.store.get("lru-four-4")).toBeDefined();
  });
});

describe("CaptureStore", () => {
  it("drops captures idle for longer than maxIdleMs unless a tap follows them", () => {
    let time = 0;
    const store = new CaptureStore({ limits: { maxIdleMs: 1000 }, now: () => time });
    store.open("old-capture").add({ kind: "end", time, reason: "test" });
    const followed = store.open("followed-1");
    const unsubscribe = followed.subscribe(() => {});
    time = 500;
    store.open("young-capture");
    time = 1200;
    store.sweep();
    expect(store.get("old-capture")).toBeUndefined();
    expect(store.get("followed-1")).toBeDefined();
    expect(store.get("young-capture")).toBeDefined();
    unsubscribe();
    store.sweep();
    expect(store.get("followed-1")).toBeUndefined();
  });

  it("counts a small overhead per entry so many tiny chunks are bounded too", () => {
    const store = new CaptureStore({ limits: { maxBytesPerCapture: 1000 } });
    const capture = store.open("tiny-chunks");
    for (let i = 0; i < 100; i++)
      capture.add({
        kind: "data",
        direction: "client",
        time: i,
        connection: 1,
        bytes: new Uint8Array(1),
      });
    expect(capture.entries.length).toBeLessThan(20);
    expect(capture.entries.at(-1)?.kind).toBe("truncated");
  });
});
