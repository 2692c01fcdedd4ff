/**
 * A capture built from the examples of RFC 6455 (§1.3, §5.7) with the
 * protocol's own encoder: always available, even before any recording is
 * shipped or when `/captures/` cannot be fetched. Deterministic (fixed keys).
 */
import { base64Encode, encodeCloseFrame, encodeFrame, hexToBytes } from "../../protocol/index.ts";
import type { CaptureEntry, CaptureFile, Direction } from "./capture-format.ts";

export const SAMPLE_CAPTURE_NAME = "rfc-examples";

function data(direction: Direction, bytes: Uint8Array, time: number): CaptureEntry {
  return { kind: "data", direction, time, bytes: base64Encode(bytes) };
}

/** The RFC's handshake, masked and unmasked "Hello", a fragmented message with a ping in between, a close. */
export function sampleCapture(): CaptureFile {
  const t = Date.UTC(2011, 11, 1, 12, 0, 0);
  const key = (hex: string) => ({ maskingKey: hexToBytes(hex), mask: true });
  const maskedHello = encodeFrame({ opcode: 1, payload: "Hello", ...key("37fa213d") });
  const first = encodeFrame({ opcode: 1, fin: false, payload: "Hel", ...key("a1b2c3d4") });
  const ping = encodeFrame({ opcode: 9, payload: "Hello", ...key("01020304") });
  const last = encodeFrame({ opcode: 0, payload: "lo", ...key("0f1e2d3c") });
  const close = encodeCloseFrame({ code: 1000, reason: "Bye!", ...key("5a5a5a5a") });
  const entries: CaptureEntry[] = [
    {
      kind: "handshake",
      time: t,
      request:
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Version: 13\r\n\r\n",
      response:
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    },
    data("client", maskedHello, t + 10),
    data("server", encodeFrame({ opcode: 1, payload: "Hello" }), t + 11),
    // The same message in two fragments, a ping between them, the first TCP chunk ending mid-header.
    data("client", first.subarray(0, 4), t + 20),
    data("client", first.subarray(4), t + 21),
    data("client", ping, t + 22),
    data("client", last, t + 23),
    data("server", encodeFrame({ opcode: 10, payload: "Hello" }), t + 24),
    data("server", encodeFrame({ opcode: 1, payload: "Hello" }), t + 25),
    data("client", close, t + 30),
    data("server", encodeCloseFrame({ code: 1000, reason: "Bye!" }), t + 31),
    { kind: "end", time: t + 32 },
  ];
  return {
    format: "wirelab-capture",
    version: 1,
    title: "RFC 6455 examples",
    description:
      "The handshake of RFC 6455 §1.3 and the frames of §5.7: masked and unmasked “Hello”, a fragmented message with a ping between its fragments, and a normal close.",
    entries,
  };
}
