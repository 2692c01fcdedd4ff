import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  FrameParser,
  OPCODE_BINARY,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_TEXT,
  encodeCloseFrame,
  encodeFrame,
  type ParsedMessage,
} from "../../src/protocol/index.ts";
import { RAW_MAX_MESSAGE_SIZE } from "../../sandbox-server/raw/index.ts";
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

const RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const fixedMask = () => new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

function handshake(
  headers: Record<string, string> = {},
  requestLine = "GET /ws/raw HTTP/1.1",
): string {
  const all: Record<string, string> = {
    Host: `127.0.0.1:${sandbox.port}`,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": RFC_KEY,
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${name}: ${value}`);
  return `${requestLine}\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** A raw TCP client: collects everything the server sends until it closes the connection. */
function rawClient(): Promise<{ socket: Socket; closed: Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(sandbox.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const closed = new Promise<Buffer>((done) => {
      socket.on("data", (chunk) => chunks.push(chunk));
      socket.on("close", () => done(Buffer.concat(chunks)));
    });
    socket.once("connect", () => resolve({ socket, closed }));
    socket.once("error", reject);
  });
}

/** Splits what the server sent into the response head and the frames after it. */
function splitResponse(all: Buffer): { head: string; messages: ParsedMessage[] } {
  const end = all.indexOf("\r\n\r\n");
  const head = all.subarray(0, end + 4).toString("latin1");
  const parser = new FrameParser({ role: "client" });
  const out = parser.push(new Uint8Array(all.subarray(end + 4)));
  expect(out.error).toBeUndefined();
  return { head, messages: out.messages };
}

async function sendAfterHandshake(
  ...frames: Uint8Array[]
): Promise<{ head: string; messages: ParsedMessage[] }> {
  const { socket, closed } = await rawClient();
  socket.write(handshake());
  for (const frame of frames) socket.write(frame);
  return splitResponse(await closed);
}

function masked(opcode: number, payload: Uint8Array | string, fin = true) {
  return encodeFrame({ opcode, payload, fin, mask: true }, { maskGenerator: fixedMask });
}

describe("/ws/raw with the ws client", () => {
  it("echoes a text message as text", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/raw`);
    const reply = nextMessage(socket);
    socket.send("héllo, raw wire");
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe("héllo, raw wire");
    socket.close();
  });

  it("echoes a binary message as binary", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/raw`);
    const reply = nextMessage(socket);
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    socket.send(bytes);
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(Buffer.compare(data, bytes)).toBe(0);
    socket.close();
  });

  it("reassembles a message ws sends in fragments", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/raw`);
    const reply = nextMessage(socket);
    socket.send("frag", { fin: false });
    socket.send("men", { fin: false });
    socket.send("ted", { fin: true });
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe("fragmented");
    socket.close();
  });

  it("answers a ping with a pong carrying the same payload", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/raw`);
    const pong = new Promise<Buffer>((resolve) => socket.once("pong", resolve));
    socket.ping("are you there?");
    expect((await pong).toString()).toBe("are you there?");
    socket.close();
  });

  it("echoes the close code and reason, then closes", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/raw`);
    const closed = closeEvent(socket);
    socket.close(4000, "bye now");
    expect(await closed).toEqual({ code: 4000, reason: "bye now" });
  });

  it("answers a close without a code with 1000", async () => {
    const { messages } = await sendAfterHandshake(encodeCloseFrame({ mask: true }));
    expect(messages.map((m) => [m.type, m.closeCode])).toEqual([["close", 1000]]);
  });

  it("closes a message over the size limit with 1009", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/raw`);
    const closed = closeEvent(socket);
    socket.send(Buffer.alloc(RAW_MAX_MESSAGE_SIZE + 1));
    expect((await closed).code).toBe(1009);
  });
});

describe("/ws/raw with hand-made frames", () => {
  it("answers the RFC's example key with the RFC's accept value", async () => {
    const { head, messages } = await sendAfterHandshake(
      encodeCloseFrame({ code: 1000, mask: true }),
    );
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(head).toContain("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
    expect(messages.at(-1)?.closeCode).toBe(1000);
  });

  it("handles a handshake and a fragmented message with a ping between fragments, byte by byte", async () => {
    const { socket, closed } = await rawClient();
    const bytes = Buffer.concat([
      Buffer.from(handshake(), "latin1"),
      masked(OPCODE_TEXT, "Hel", false),
      masked(OPCODE_PING, "ping!"),
      masked(OPCODE_CONTINUATION, "lo"),
      encodeCloseFrame({ code: 1000, mask: true }),
    ]);
    for (const byte of bytes) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { messages } = splitResponse(await closed);
    expect(messages.map((m) => [m.type, Buffer.from(m.data).toString("latin1")])).toEqual([
      ["pong", "ping!"],
      ["text", "Hello"],
      ["close", "\x03\xe8"],
    ]);
  });

  const failures: [string, Uint8Array[], number, string][] = [
    [
      "an unmasked client frame",
      [encodeFrame({ opcode: OPCODE_TEXT, payload: "hi" })],
      1002,
      "WS_ERR_EXPECTED_MASK",
    ],
    [
      "a reserved opcode",
      [
        encodeFrame(
          { opcode: 3, payload: "x", mask: true },
          { validate: false, maskGenerator: fixedMask },
        ),
      ],
      1002,
      "WS_ERR_INVALID_OPCODE",
    ],
    [
      "RSV1 without an extension",
      [encodeFrame({ opcode: OPCODE_TEXT, payload: "x", rsv1: true, mask: true })],
      1002,
      "WS_ERR_UNEXPECTED_RSV_1",
    ],
    [
      "RSV2",
      [encodeFrame({ opcode: OPCODE_TEXT, payload: "x", rsv2: true, mask: true })],
      1002,
      "WS_ERR_UNEXPECTED_RSV_2",
    ],
    [
      "a fragmented ping",
      [
        encodeFrame(
          { opcode: OPCODE_PING, payload: "x", fin: false, mask: true },
          { validate: false },
        ),
      ],
      1002,
      "WS_ERR_EXPECTED_FIN",
    ],
    [
      "a continuation without a start",
      [masked(OPCODE_CONTINUATION, "x")],
      1002,
      "WS_ERR_INVALID_CONTINUATION_FRAME",
    ],
    [
      "a new message inside a fragmented one",
      [masked(OPCODE_TEXT, "a", false), masked(OPCODE_BINARY, "b")],
      1002,
      "WS_ERR_UNEXPECTED_DATA_FRAME",
    ],
    [
      "invalid UTF-8 in a text message",
      [masked(OPCODE_TEXT, new Uint8Array([0xc3, 0x28]))],
      1007,
      "WS_ERR_INVALID_UTF8",
    ],
    [
      "a code point split across frames that never completes",
      [
        masked(OPCODE_TEXT, new Uint8Array([0x61, 0xe2, 0x82]), false),
        masked(OPCODE_CONTINUATION, "z"),
      ],
      1007,
      "WS_ERR_INVALID_UTF8",
    ],
    [
      "a 64-bit length over the limit",
      [new Uint8Array([0x82, 0xff, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70, 1, 2, 3, 4])],
      1009,
      "WS_ERR_MESSAGE_TOO_BIG",
    ],
    [
      "a close code that must never be sent",
      [encodeCloseFrame({ code: 1005, mask: true })],
      1002,
      "WS_ERR_INVALID_CLOSE_CODE",
    ],
  ];

  for (const [what, frames, closeCode, reason] of failures) {
    it(`fails ${what} with ${closeCode} and closes TCP`, async () => {
      const { messages } = await sendAfterHandshake(...frames);
      const close = messages.at(-1);
      expect(close?.type).toBe("close");
      expect(close?.closeCode).toBe(closeCode);
      expect(close?.text).toBe(reason);
    });
  }

  it("survives garbage and keeps serving", async () => {
    const { messages } = await sendAfterHandshake(
      new Uint8Array(Array.from({ length: 512 }, (_, i) => (i * 7919) & 0xff)),
    );
    expect(messages.at(-1)?.type).toBe("close");
    const socket = await openSocket(`${sandbox.ws}/ws/raw`);
    const reply = nextMessage(socket);
    socket.send("still here");
    expect((await reply).data.toString()).toBe("still here");
    socket.close();
  });
});

describe("/ws/raw opening handshake", () => {
  async function answer(request: string): Promise<string> {
    const { socket, closed } = await rawClient();
    socket.write(request);
    return (await closed).toString("latin1");
  }

  it("answers a wrong version with 426 and Sec-WebSocket-Version: 13", async () => {
    const text = await answer(handshake({ "Sec-WebSocket-Version": "8" }));
    expect(text).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
    expect(text).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/);
  });

  const bad: [string, () => string][] = [
    ["a key that is not 16 bytes", () => handshake({ "Sec-WebSocket-Key": "c2hvcnQ=" })],
    ["a missing key", () => handshake({ "Sec-WebSocket-Key": "" })],
    ["a missing version", () => handshake({ "Sec-WebSocket-Version": "" })],
    ["a POST", () => handshake({}, "POST /ws/raw HTTP/1.1")],
    ["HTTP/1.0", () => handshake({}, "GET /ws/raw HTTP/1.0")],
    ["Upgrade: h2c", () => handshake({ Upgrade: "h2c" })],
    ["no Connection: Upgrade", () => handshake({ Connection: "keep-alive" })],
  ];
  for (const [what, request] of bad) {
    it(`answers ${what} with 400 and an explanation`, async () => {
      const text = await answer(request());
      expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(text.split("\r\n\r\n")[1]).toMatch(/^400 Bad Request: \S/);
    });
  }

  it("answers a plain fetch with 400", async () => {
    const response = await fetch(`${sandbox.http}/ws/raw`);
    expect(response.status).toBe(400);
  });

  it("ws reports a refused handshake as an error", async () => {
    const socket = new WebSocket(`${sandbox.ws}/ws/raw`, { protocolVersion: 8 });
    const error = await new Promise<Error>((resolve) => socket.once("error", resolve));
    expect(error.message).toMatch(/426/);
  });
});
