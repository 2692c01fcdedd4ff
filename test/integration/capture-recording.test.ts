import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { CaptureEntryJson } from "../../sandbox-server/capture/index.ts";
import {
  FrameParser,
  encodeCloseFrame,
  encodeFrame,
  type ParsedMessage,
} from "../../src/protocol/index.ts";
import {
  closeEvent,
  nextMessage,
  openSocket,
  startSandbox,
  type RunningSandbox,
} from "../support/sandbox.ts";

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox(undefined, undefined);
});
afterAll(() => sandbox.server.close());

let counter = 0;
const captureId = (name: string) => `${name}-${process.pid}-${++counter}`;

/** Opens a tap and collects entries until `until` says stop. */
function tap(
  id: string,
  until: (entries: CaptureEntryJson[]) => boolean,
): Promise<CaptureEntryJson[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${sandbox.ws}/ws/tap?capture=${id}`);
    const entries: CaptureEntryJson[] = [];
    socket.on("message", (data, isBinary) => {
      expect(isBinary).toBe(false);
      entries.push(JSON.parse(data.toString()) as CaptureEntryJson);
      if (until(entries)) {
        socket.close();
        resolve(entries);
      }
    });
    socket.once("error", reject);
  });
}

const hasEnd = (entries: CaptureEntryJson[]) => entries.some((entry) => entry.kind === "end");

/** Decodes the recorded bytes of one direction with src/protocol's parser. */
function decode(entries: CaptureEntryJson[], direction: "client" | "server"): ParsedMessage[] {
  const parser = new FrameParser({ role: direction === "client" ? "server" : "client" });
  const messages: ParsedMessage[] = [];
  for (const entry of entries) {
    if (entry.kind !== "data" || entry.direction !== direction) continue;
    const out = parser.push(new Uint8Array(Buffer.from(entry.bytes, "base64")));
    expect(out.error).toBeUndefined();
    messages.push(...out.messages);
  }
  expect(parser.bufferedBytes).toBe(0);
  return messages;
}

const summary = (messages: ParsedMessage[]) =>
  messages.map((message) =>
    message.type === "binary"
      ? ["binary", Buffer.from(message.data).toString("hex")]
      : [message.type, message.text ?? ""],
  );

describe("capture of a /ws/echo connection", () => {
  it("records the handshake text and every byte both ways, then end", async () => {
    const id = captureId("echo");
    const socket = await openSocket(`${sandbox.ws}/ws/echo?capture=${id}`);
    for (const message of ["hello", Buffer.from([1, 2, 3, 255]), "é and ✓"]) {
      const reply = nextMessage(socket);
      socket.send(message);
      await reply;
    }
    const closed = closeEvent(socket);
    socket.close(1000, "done");
    await closed;
    const entries = await tap(id, hasEnd);

    const handshake = entries[0];
    expect(handshake.kind).toBe("handshake");
    if (handshake.kind !== "handshake") return;
    expect(handshake.request).toMatch(new RegExp(`^GET /ws/echo\\?capture=${id} HTTP/1\\.1\\r\\n`));
    expect(handshake.request).toMatch(/\r\nSec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r\n/);
    expect(handshake.request.endsWith("\r\n\r\n")).toBe(true);
    expect(handshake.response).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(handshake.response).toMatch(/\r\nSec-WebSocket-Accept: \S+\r\n\r\n$/);

    const sent = [
      ["text", "hello"],
      ["binary", "010203ff"],
      ["text", "é and ✓"],
    ];
    expect(summary(decode(entries, "client"))).toEqual([...sent, ["close", "done"]]);
    expect(summary(decode(entries, "server"))).toEqual([...sent, ["close", "done"]]);
    const times = entries.map((entry) => entry.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(entries.at(-1)).toMatchObject({ kind: "end", connection: 1 });
  });

  it("streams past entries first, then live ones", async () => {
    const id = captureId("live");
    const socket = await openSocket(`${sandbox.ws}/ws/echo?capture=${id}`);
    let reply = nextMessage(socket);
    socket.send("before the tap");
    await reply;

    const seen: CaptureEntryJson[] = [];
    const tapSocket = new WebSocket(`${sandbox.ws}/ws/tap?capture=${id}`);
    const serverDataCount = () => decode(seen, "server").length;
    let notify = () => {};
    tapSocket.on("message", (data) => {
      seen.push(JSON.parse(data.toString()) as CaptureEntryJson);
      notify();
    });
    const waitFor = (check: () => boolean) =>
      new Promise<void>((resolve) => {
        notify = () => check() && resolve();
        notify();
      });
    await waitFor(() => serverDataCount() === 1);
    expect(seen[0].kind).toBe("handshake");

    reply = nextMessage(socket);
    socket.send("after the tap");
    await reply;
    await waitFor(() => serverDataCount() === 2);
    expect(summary(decode(seen, "client"))).toEqual([
      ["text", "before the tap"],
      ["text", "after the tap"],
    ]);
    socket.close();
    await waitFor(() => hasEnd(seen));
    tapSocket.close();
  });

  it("records /ws/raw and a hand-written client's chunks exactly as written", async () => {
    const id = captureId("raw");
    const request =
      `GET /ws/raw?capture=${id} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Case-Kept: Yes\r\n\r\n";
    const frame = encodeFrame({
      opcode: 1,
      payload: "Hello",
      mask: true,
      maskingKey: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]),
    });
    const socket = connect(sandbox.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.resume();
    socket.write(request);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(frame.subarray(0, 3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(frame.subarray(3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(encodeCloseFrame({ code: 1000, mask: true }));
    await closed;
    const entries = await tap(id, hasEnd);
    expect(entries[0]).toMatchObject({ kind: "handshake", request });
    const client = entries.filter((e) => e.kind === "data" && e.direction === "client");
    expect(
      client.map((e) => (e.kind === "data" ? Buffer.from(e.bytes, "base64").toString("hex") : "")),
    ).toEqual(["818537", "fa213d7f9f4d5158", expect.stringMatching(/^8882/)]);
    expect(summary(decode(entries, "server"))).toEqual([
      ["text", "Hello"],
      ["close", ""],
    ]);
  });
});

describe("capture ids", () => {
  for (const bad of ["short", "has space!", "x".repeat(65), ""]) {
    it(`refuses a demo connection with capture=${JSON.stringify(bad)}`, async () => {
      const socket = new WebSocket(`${sandbox.ws}/ws/echo?capture=${encodeURIComponent(bad)}`);
      const error = await new Promise<Error>((resolve) => socket.once("error", resolve));
      expect(error.message).toMatch(/400/);
    });
  }

  it("refuses a tap with an invalid id", async () => {
    const socket = new WebSocket(`${sandbox.ws}/ws/tap?capture=nope`);
    const error = await new Promise<Error>((resolve) => socket.once("error", resolve));
    expect(error.message).toMatch(/400/);
  });

  it("leaves connections without capture alone", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/echo`);
    const reply = nextMessage(socket);
    socket.send("no capture");
    expect((await reply).data.toString()).toBe("no capture");
    socket.close();
  });
});
