/**
 * Differential tests against websockets/ws: frames ws's Sender produces parse
 * identically; our encoder's bytes equal ws's; ws's Receiver reads our frames
 * as we do and fails our error fixtures with the same close code; and a real
 * ws connection tapped on loopback decodes to the messages sent.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import * as wsModule from "ws";
import type { Writable } from "node:stream";
import type { AddressInfo } from "node:net";
import { finished } from "node:stream/promises";
import { FrameParser, parseFrames } from "../../../src/protocol/frame-parser.ts";
import { encodeFrame } from "../../../src/protocol/frame-encoder.ts";
import { concatBytes } from "../../../src/protocol/hex.ts";
import { findHeadEnd, parseHttpHead } from "../../../src/protocol/http-handshake.ts";
import { chunksOf, hex, startTapProxy, type TapProxy } from "./helpers.ts";

interface WsFrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  rsv1: boolean;
  readOnly: boolean;
  generateMask?: (mask: Buffer) => void;
}
/** ws's internal classes (exported at runtime, not in @types/ws). */
const { Sender, Receiver } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: WsFrameOptions): Buffer[] };
  Receiver: new (options: { isServer: boolean; skipUTF8Validation: boolean }) => Writable;
};
const wsFrame = Sender.frame;

const frameArbitrary = fc.record({
  fin: fc.boolean(),
  opcode: fc.constant(2),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc
      .integer({ min: 65536, max: 65600 })
      .map((length) => new Uint8Array(length).map((_, i) => (i * 131) >> 3)),
  ),
  mask: fc.boolean(),
  maskingKey: fc.uint8Array({ minLength: 4, maxLength: 4 }),
});

describe("ws Sender vs our parser and encoder", () => {
  it("parses frames produced by ws's Sender.frame to the same header fields and payload", () => {
    fc.assert(
      fc.property(frameArbitrary, (frame) => {
        const bytes = concatBytes(
          wsFrame(Buffer.from(frame.payload), {
            fin: frame.fin,
            opcode: frame.opcode,
            mask: frame.mask,
            rsv1: false,
            readOnly: false,
            generateMask: (mask) => mask.set(frame.maskingKey),
          }),
        );
        const result = parseFrames(bytes, { role: frame.mask ? "server" : "client" });
        expect(result.error).toBeUndefined();
        expect(result.frames[0]).toMatchObject({
          fin: frame.fin,
          opcode: frame.opcode,
          masked: frame.mask,
          payloadLength: frame.payload.length,
        });
        expect(Buffer.compare(result.frames[0].payload, frame.payload)).toBe(0);
        // And our encoder writes the very same bytes.
        expect(Buffer.compare(encodeFrame(frame), bytes)).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

type ReceiverEvent = {
  kind: string;
  data?: string;
  code?: number;
  errorCode?: string;
  statusCode?: number;
};

async function receiveWithWs(bytes: Uint8Array, isServer: boolean): Promise<ReceiverEvent[]> {
  const events: ReceiverEvent[] = [];
  const receiver = new Receiver({ isServer, skipUTF8Validation: false });
  receiver.on("message", (data: Buffer, isBinary: boolean) =>
    events.push({ kind: isBinary ? "binary" : "text", data: data.toString("hex") }),
  );
  receiver.on("ping", (data: Buffer) => events.push({ kind: "ping", data: data.toString("hex") }));
  receiver.on("pong", (data: Buffer) => events.push({ kind: "pong", data: data.toString("hex") }));
  receiver.on("conclude", (code: number) => events.push({ kind: "close", code }));
  receiver.on("error", (error: Error & { code: string }) => {
    const statusCode = (error as unknown as Record<symbol, number>)[
      Object.getOwnPropertySymbols(error).find((s) => s.description === "status-code")!
    ];
    events.push({ kind: "error", errorCode: error.code, statusCode });
  });
  await finished(receiver.end(Buffer.from(bytes))).catch(() => {});
  return events;
}

describe("ws Receiver vs our parser", () => {
  it("reads a stream of our frames as the same messages", async () => {
    const masked = (opcode: number, payload: string | Uint8Array, fin = true) =>
      encodeFrame({ opcode, payload, fin, mask: true, maskingKey: hex("0a0b0c0d") });
    const bytes = concatBytes([
      masked(1, "héllo"),
      masked(2, hex("00 ff 10")),
      masked(1, "frag", false),
      masked(9, "p"),
      masked(0, "ment"),
      masked(10, ""),
      masked(2, new Uint8Array(70000).fill(7)),
      encodeFrame({
        opcode: 8,
        payload: hex("03 e8 62 79 65"),
        mask: true,
        maskingKey: hex("01020304"),
      }),
    ]);
    const ours = parseFrames(bytes, { role: "server" }).messages.map((message) =>
      message.type === "close"
        ? { kind: "close", code: message.closeCode }
        : { kind: message.type, data: Buffer.from(message.data).toString("hex") },
    );
    expect(ours).toEqual(await receiveWithWs(bytes, true));
  });

  // ws does not check minimal length encoding, and reports a 64-bit MSB as 1009; the rest must agree.
  const sharedErrorFixtures: Array<[string, string, boolean]> = [
    ["83 80 00 00 00 00", "WS_ERR_INVALID_OPCODE", true],
    ["81 05 48 65 6c 6c 6f", "WS_ERR_EXPECTED_MASK", true],
    ["81 85 37 fa 21 3d 7f 9f 4d 51 58", "WS_ERR_UNEXPECTED_MASK", false],
    ["c1 80 00 00 00 00", "WS_ERR_UNEXPECTED_RSV_1", true],
    ["89 fe 00 7e", "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", true],
    ["09 80 00 00 00 00", "WS_ERR_EXPECTED_FIN", true],
    ["80 82 00 00 00 00 6c 6f", "WS_ERR_INVALID_OPCODE", true], // ws: continuation without start → invalid opcode
    ["81 82 00 00 00 00 c3 28", "WS_ERR_INVALID_UTF8", true],
    ["88 82 00 00 00 00 03 ed", "WS_ERR_INVALID_CLOSE_CODE", true],
  ];
  for (const [fixture, wsCode, isServer] of sharedErrorFixtures) {
    it(`fails ${fixture} with the same close code as ws (${wsCode})`, async () => {
      const ours = parseFrames(hex(fixture), { role: isServer ? "server" : "client" }).error!;
      const theirs = (await receiveWithWs(hex(fixture), isServer)).find(
        (event) => event.kind === "error",
      )!;
      expect(theirs.errorCode).toBe(wsCode);
      expect(ours.closeCode).toBe(theirs.statusCode);
    });
  }
});

describe("a real ws connection tapped on loopback", () => {
  let proxy: TapProxy | undefined;
  let wss: WebSocketServer | undefined;
  afterEach(async () => {
    await proxy?.close();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  });

  it("decodes both directions of the captured bytes to the messages sent", async () => {
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
    await new Promise<void>((resolve) => wss!.on("listening", () => resolve()));
    const serverSent: Array<{ type: string; data: string }> = [];
    wss.on("connection", (socket) => {
      socket.on("message", (data: Buffer, isBinary) => {
        socket.send(data, { binary: isBinary });
        serverSent.push({ type: isBinary ? "binary" : "text", data: data.toString("hex") });
      });
      socket.send("server speaks first ✓");
      serverSent.unshift({
        type: "text",
        data: Buffer.from("server speaks first ✓").toString("hex"),
      });
    });
    proxy = await startTapProxy((wss.address() as AddressInfo).port);

    let maskByte = 0;
    const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/`, {
      perMessageDeflate: false,
      generateMask: (mask: Buffer) => mask.fill(++maskByte),
    });
    const clientReceived: string[] = [];
    const allEchoed = new Promise<void>((resolve) =>
      client.on("message", (data: Buffer) => {
        clientReceived.push(data.toString("hex"));
        if (clientReceived.length === 5) resolve();
      }),
    );
    await new Promise<void>((resolve) => client.on("open", () => resolve()));
    const big = Buffer.alloc(70000, 0x42);
    client.send("hello");
    client.send(Buffer.from([1, 2, 3]));
    client.send(big);
    client.send("frag", { fin: false });
    client.send("ment", { fin: true });
    await allEchoed;
    const closed = new Promise<void>((resolve) => client.on("close", () => resolve()));
    client.close(1000, "bye");
    await closed;
    await proxy.connections[0].closed;

    const connection = proxy.connections[0];
    const clientBytes = concatBytes(chunksOf(connection, "client"));
    const serverBytes = concatBytes(chunksOf(connection, "server"));
    const requestEnd = findHeadEnd(clientBytes);
    const responseEnd = findHeadEnd(serverBytes);
    const request = parseHttpHead(clientBytes);
    const response = parseHttpHead(serverBytes);
    expect(request.ok && request.head.kind === "request" && request.head.method).toBe("GET");
    expect(response.ok && response.head.kind === "response" && response.head.status).toBe(101);

    // Feed the client → server bytes chunk by chunk, exactly as they crossed TCP.
    const fromClient = new FrameParser({ role: "server" });
    const clientMessages = [];
    let skip = requestEnd;
    for (const chunk of chunksOf(connection, "client")) {
      const usable = chunk.subarray(Math.min(skip, chunk.length));
      skip = Math.max(0, skip - chunk.length);
      const out = fromClient.push(usable);
      expect(out.error).toBeUndefined();
      clientMessages.push(...out.messages);
    }
    expect(
      clientMessages.map((message) => [
        message.type,
        message.type === "close" ? message.closeCode : Buffer.from(message.data).toString("hex"),
      ]),
    ).toEqual([
      ["text", Buffer.from("hello").toString("hex")],
      ["binary", "010203"],
      ["binary", big.toString("hex")],
      ["text", Buffer.from("fragment").toString("hex")],
      ["close", 1000],
    ]);
    expect(clientMessages[3].frameIndices).toHaveLength(2);
    expect(clientMessages.at(-1)!.text).toBe("bye");

    const fromServer = parseFrames(serverBytes.subarray(responseEnd), { role: "client" });
    expect(fromServer.error).toBeUndefined();
    const dataMessages = fromServer.messages.filter((message) => message.type !== "close");
    expect(
      dataMessages.map((message) => ({
        type: message.type,
        data: Buffer.from(message.data).toString("hex"),
      })),
    ).toEqual(serverSent);
    expect(fromServer.messages.at(-1)).toMatchObject({ type: "close", closeCode: 1000 });
  });
});
