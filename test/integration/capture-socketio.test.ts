import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { CaptureEntryJson } from "../../sandbox-server/capture/index.ts";
import {
  FrameParser,
  decodeEngineIoPayload,
  type ParsedMessage,
} from "../../src/protocol/index.ts";
import { startSandbox, type RunningSandbox } from "../support/sandbox.ts";

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox(undefined, undefined);
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

function websocketMessages(
  entries: CaptureEntryJson[],
  direction: "client" | "server",
): ParsedMessage[] {
  const parser = new FrameParser({ role: direction === "client" ? "server" : "client" });
  const messages: ParsedMessage[] = [];
  for (const entry of entries) {
    if (entry.kind === "data" && entry.direction === direction) {
      const out = parser.push(new Uint8Array(Buffer.from(entry.bytes, "base64")));
      expect(out.error).toBeUndefined();
      messages.push(...out.messages);
    }
  }
  return messages;
}

const texts = (messages: ParsedMessage[]) =>
  messages.filter((m) => m.type === "text").map((m) => m.text);

async function connected(socket: Socket): Promise<void> {
  if (!socket.connected)
    await new Promise((resolve) => socket.once("connect", () => resolve(undefined)));
}

describe("capture of a Socket.IO session", () => {
  it("records polling exchanges, the upgrade (2probe, 3probe, 5) and the websocket bytes, then end", async () => {
    const id = `sio-upgrade-${process.pid}`;
    const client = io(sandbox.http, { query: { capture: id }, reconnection: false });
    const upgraded = new Promise((resolve) => client.io.engine.once("upgrade", resolve));
    await connected(client);
    await upgraded;
    expect(await client.emitWithAck("echo", "over websocket")).toEqual(["over websocket"]);
    const sid = client.io.engine.id;
    const entries = tapUntilEnd(id);
    client.disconnect();
    const recorded = await entries;

    const http = recorded.filter((e) => e.kind === "http");
    expect(http.length).toBeGreaterThanOrEqual(2);
    const first = http[0];
    expect(first).toMatchObject({ kind: "http", direction: "client", method: "GET" });
    expect(first.kind === "http" && first.url).toMatch(
      /^\/socket\.io\/\?.*EIO=4.*transport=polling/,
    );
    const open = http.find((e) => e.kind === "http" && e.direction === "server");
    expect(open).toMatchObject({ status: 200, exchange: 1 });
    if (open?.kind !== "http") return;
    const packets = decodeEngineIoPayload(open.body);
    expect(Array.isArray(packets) && packets[0]).toMatchObject({ type: "open" });
    expect(open.body).toContain(`"sid":"${sid}"`);
    // The Socket.IO CONNECT ("40") travelled over polling before the upgrade.
    expect(
      http.some((e) => e.kind === "http" && e.direction === "client" && e.body.startsWith("40")),
    ).toBe(true);

    const handshake = recorded.find((e) => e.kind === "handshake");
    expect(handshake?.kind === "handshake" && handshake.request).toMatch(
      new RegExp(`^GET /socket\\.io/\\?.*transport=websocket.*sid=${sid}.* HTTP/1\\.1\\r\\n`),
    );
    expect(handshake?.kind === "handshake" && handshake.response).toMatch(/^HTTP\/1\.1 101 /);
    const fromClient = texts(websocketMessages(recorded, "client"));
    const fromServer = texts(websocketMessages(recorded, "server"));
    expect(fromClient.slice(0, 2)).toEqual(["2probe", "5"]);
    expect(fromServer[0]).toBe("3probe");
    expect(fromClient).toContain('420["echo","over websocket"]');
    expect(fromServer).toContain('430[["over websocket"]]');
    expect(fromClient).toContain("41");

    const times = recorded.map((e) => e.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(recorded.at(-1)).toMatchObject({ kind: "end", sid });
    expect(recorded.filter((e) => e.kind === "end")).toHaveLength(1);
  });

  it("records a binary event over the websocket transport", async () => {
    const id = `sio-binary-${process.pid}`;
    const client = io(sandbox.http, {
      query: { capture: id },
      transports: ["websocket"],
      reconnection: false,
    });
    await connected(client);
    const reply = await client.emitWithAck("echo", new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    expect(Buffer.from(reply[0] as ArrayBuffer).toString("hex")).toBe("deadbeef");
    const entries = tapUntilEnd(id);
    client.disconnect();
    const recorded = await entries;
    const fromClient = websocketMessages(recorded, "client");
    const placeholder = fromClient.findIndex((m) =>
      m.text?.startsWith('451-0["echo",{"_placeholder":true,"num":0}]'),
    );
    expect(placeholder).toBeGreaterThanOrEqual(0);
    expect(fromClient[placeholder + 1]).toMatchObject({ type: "binary" });
    expect(Buffer.from(fromClient[placeholder + 1].data).toString("hex")).toBe("deadbeef");
    expect(recorded.filter((e) => e.kind === "http")).toHaveLength(0);
    expect(recorded.at(-1)).toMatchObject({ kind: "end" });
  });

  it("refuses a polling request with an invalid capture id", async () => {
    const response = await fetch(`${sandbox.http}/socket.io/?EIO=4&transport=polling&capture=bad`);
    expect(response.status).toBe(400);
  });
});
