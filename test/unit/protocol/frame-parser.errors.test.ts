import { describe, expect, it } from "vitest";
import { parseFrames, type FrameParserOptions } from "../../../src/protocol/frame-parser.ts";
import { protocolErrors, type ProtocolErrorCode } from "../../../src/protocol/errors.ts";
import { encodeFrame } from "../../../src/protocol/frame-encoder.ts";
import { concatBytes } from "../../../src/protocol/hex.ts";
import { hex } from "./helpers.ts";

interface ErrorCase {
  behaviour: string;
  bytes: Uint8Array;
  options: FrameParserOptions;
  code: ProtocolErrorCode;
  closeCode: number;
  /** The field the error is attributed to, and its absolute offset. */
  field: string;
  offset: number;
  frameIndex?: number;
}

const client: FrameParserOptions = { role: "client" };
const server: FrameParserOptions = { role: "server" };

const errorCases: ErrorCase[] = [
  {
    behaviour: "rejects reserved data opcode 3",
    bytes: hex("83 00"),
    options: client,
    code: "WS_ERR_INVALID_OPCODE",
    closeCode: 1002,
    field: "opcode",
    offset: 0,
  },
  {
    behaviour: "rejects reserved control opcode 0xB",
    bytes: hex("8b 00"),
    options: client,
    code: "WS_ERR_INVALID_OPCODE",
    closeCode: 1002,
    field: "opcode",
    offset: 0,
  },
  {
    behaviour: "rejects an unmasked client frame on the server",
    bytes: hex("81 05 48 65 6c 6c 6f"),
    options: server,
    code: "WS_ERR_EXPECTED_MASK",
    closeCode: 1002,
    field: "mask",
    offset: 1,
  },
  {
    behaviour: "rejects a masked server frame on the client",
    bytes: hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
    options: client,
    code: "WS_ERR_UNEXPECTED_MASK",
    closeCode: 1002,
    field: "mask",
    offset: 1,
  },
  {
    behaviour: "rejects RSV1 when no extension was negotiated",
    bytes: hex("c1 05 48 65 6c 6c 6f"),
    options: client,
    code: "WS_ERR_UNEXPECTED_RSV_1",
    closeCode: 1002,
    field: "rsv1",
    offset: 0,
  },
  {
    behaviour: "rejects RSV1 on a continuation frame even with permessage-deflate",
    bytes: hex("41 01 00 c0 01 00"),
    options: { role: "client", extensions: { permessageDeflate: true } },
    code: "WS_ERR_UNEXPECTED_RSV_1",
    closeCode: 1002,
    field: "rsv1",
    offset: 3,
    frameIndex: 1,
  },
  {
    behaviour: "rejects RSV1 on a control frame even with permessage-deflate",
    bytes: hex("c9 00"),
    options: { role: "client", extensions: { permessageDeflate: true } },
    code: "WS_ERR_UNEXPECTED_RSV_1",
    closeCode: 1002,
    field: "rsv1",
    offset: 0,
  },
  {
    behaviour: "rejects RSV2",
    bytes: hex("a1 00"),
    options: client,
    code: "WS_ERR_UNEXPECTED_RSV_2",
    closeCode: 1002,
    field: "rsv2",
    offset: 0,
  },
  {
    behaviour: "rejects RSV3",
    bytes: hex("91 00"),
    options: client,
    code: "WS_ERR_UNEXPECTED_RSV_3",
    closeCode: 1002,
    field: "rsv3",
    offset: 0,
  },
  {
    behaviour: "rejects a ping with 126 bytes of payload",
    bytes: hex("89 7e 00 7e"),
    options: client,
    code: "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
    closeCode: 1002,
    field: "payloadLength",
    offset: 1,
  },
  {
    behaviour: "rejects a close frame with a 64-bit length",
    bytes: hex("88 7f"),
    options: client,
    code: "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
    closeCode: 1002,
    field: "payloadLength",
    offset: 1,
  },
  {
    behaviour: "rejects a fragmented ping",
    bytes: hex("09 00"),
    options: client,
    code: "WS_ERR_EXPECTED_FIN",
    closeCode: 1002,
    field: "fin",
    offset: 0,
  },
  {
    behaviour: "rejects a 16-bit length below 126",
    bytes: hex("82 7e 00 7d"),
    options: client,
    code: "WS_ERR_NON_MINIMAL_LENGTH",
    closeCode: 1002,
    field: "extendedPayloadLength16",
    offset: 2,
  },
  {
    behaviour: "rejects a 64-bit length below 65536",
    bytes: hex("82 7f 00 00 00 00 00 00 ff ff"),
    options: client,
    code: "WS_ERR_NON_MINIMAL_LENGTH",
    closeCode: 1002,
    field: "extendedPayloadLength64",
    offset: 2,
  },
  {
    behaviour: "rejects a 64-bit length with the most significant bit set",
    bytes: hex("82 7f 80 00 00 00 00 00 00 00"),
    options: client,
    code: "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH",
    closeCode: 1002,
    field: "extendedPayloadLength64",
    offset: 2,
  },
  {
    behaviour: "rejects a continuation frame without a message in progress",
    bytes: hex("80 02 6c 6f"),
    options: client,
    code: "WS_ERR_INVALID_CONTINUATION_FRAME",
    closeCode: 1002,
    field: "opcode",
    offset: 0,
  },
  {
    behaviour: "rejects a new text frame inside a fragmented message",
    bytes: hex("01 03 48 65 6c 81 02 6c 6f"),
    options: client,
    code: "WS_ERR_UNEXPECTED_DATA_FRAME",
    closeCode: 1002,
    field: "opcode",
    offset: 5,
    frameIndex: 1,
  },
  {
    behaviour: "rejects invalid UTF-8 in a single-frame text message",
    bytes: hex("81 02 c3 28"),
    options: client,
    code: "WS_ERR_INVALID_UTF8",
    closeCode: 1007,
    field: "payload",
    offset: 2,
  },
  {
    behaviour: "rejects a UTF-16 surrogate encoded in UTF-8",
    bytes: hex("81 03 ed a0 80"),
    options: client,
    code: "WS_ERR_INVALID_UTF8",
    closeCode: 1007,
    field: "payload",
    offset: 2,
  },
  {
    behaviour: "rejects a text message that ends inside a code point split across frames",
    bytes: hex("01 02 e2 82 80 00"),
    options: client,
    code: "WS_ERR_INVALID_UTF8",
    closeCode: 1007,
    field: "payload",
    offset: 6,
    frameIndex: 1,
  },
  {
    behaviour: "rejects a bad continuation byte in the second fragment",
    bytes: hex("01 02 e2 82 80 01 41"),
    options: client,
    code: "WS_ERR_INVALID_UTF8",
    closeCode: 1007,
    field: "payload",
    offset: 6,
    frameIndex: 1,
  },
  {
    behaviour: "rejects close code 1005 on the wire",
    bytes: hex("88 02 03 ed"),
    options: client,
    code: "WS_ERR_INVALID_CLOSE_CODE",
    closeCode: 1002,
    field: "payload",
    offset: 2,
  },
  {
    behaviour: "rejects close code 999",
    bytes: hex("88 02 03 e7"),
    options: client,
    code: "WS_ERR_INVALID_CLOSE_CODE",
    closeCode: 1002,
    field: "payload",
    offset: 2,
  },
  {
    behaviour: "rejects close code 5000",
    bytes: hex("88 02 13 88"),
    options: client,
    code: "WS_ERR_INVALID_CLOSE_CODE",
    closeCode: 1002,
    field: "payload",
    offset: 2,
  },
  {
    behaviour: "rejects a 1-byte close body",
    bytes: hex("88 01 03"),
    options: client,
    code: "WS_ERR_INVALID_CLOSE_PAYLOAD",
    closeCode: 1002,
    field: "payload",
    offset: 2,
  },
  {
    behaviour: "rejects a close reason that is not UTF-8",
    bytes: hex("88 04 03 e8 ff fe"),
    options: client,
    code: "WS_ERR_INVALID_CLOSE_REASON",
    closeCode: 1007,
    field: "payload",
    offset: 4,
  },
  {
    behaviour: "rejects a frame longer than maxMessageSize before reading its payload",
    bytes: hex("82 7e 01 00"),
    options: { role: "client", maxMessageSize: 255 },
    code: "WS_ERR_MESSAGE_TOO_BIG",
    closeCode: 1009,
    field: "extendedPayloadLength16",
    offset: 2,
  },
  {
    behaviour: "rejects a fragmented message whose fragments add up beyond maxMessageSize",
    bytes: hex("02 03 01 02 03 80 03 04 05 06"),
    options: { role: "client", maxMessageSize: 5 },
    code: "WS_ERR_MESSAGE_TOO_BIG",
    closeCode: 1009,
    field: "payloadLength",
    offset: 6,
    frameIndex: 1,
  },
  {
    behaviour: "rejects a 64-bit length beyond 2^53 - 1",
    bytes: hex("82 7f 00 40 00 00 00 00 00 00"),
    options: client,
    code: "WS_ERR_MESSAGE_TOO_BIG",
    closeCode: 1009,
    field: "extendedPayloadLength64",
    offset: 2,
  },
];

describe("protocol errors", () => {
  for (const testCase of errorCases) {
    it(`${testCase.behaviour} (${testCase.code}, close ${testCase.closeCode})`, () => {
      const result = parseFrames(testCase.bytes, testCase.options);
      expect(result.error).toMatchObject({
        code: testCase.code,
        closeCode: testCase.closeCode,
        field: testCase.field,
        offset: testCase.offset,
        frameIndex: testCase.frameIndex ?? 0,
      });
      expect(result.steps.at(-1)).toMatchObject({
        kind: "error",
        code: testCase.code,
        closeCode: testCase.closeCode,
      });
      // The broken frame is still there to draw.
      expect(result.partialFrame).toMatchObject({ index: testCase.frameIndex ?? 0 });
      expect(result.partialFrame!.header.length).toBeGreaterThanOrEqual(2);
    });
  }

  it("covers every code of the error table", () => {
    expect(new Set(errorCases.map((testCase) => testCase.code))).toEqual(
      new Set(Object.keys(protocolErrors)),
    );
  });

  it("maps every code to 1002, 1007 or 1009", () => {
    for (const info of Object.values(protocolErrors))
      expect([1002, 1007, 1009]).toContain(info.closeCode);
  });

  it("accepts a code point split across frames with a ping in between", () => {
    const result = parseFrames(hex("01 02 e2 82 89 00 80 01 ac"), { role: "client" });
    expect(result.error).toBeUndefined();
    expect(result.messages.map((message) => message.type)).toEqual(["ping", "text"]);
    expect(result.messages[1].text).toBe("€");
  });

  it("accepts close frames with no body, a valid code, and codes 1012–1014, 3000 and 4999", () => {
    for (const code of [1000, 1001, 1003, 1007, 1011, 1012, 1013, 1014, 3000, 4999]) {
      const body = concatBytes([
        new Uint8Array([code >> 8, code & 0xff]),
        new TextEncoder().encode("ok ✓"),
      ]);
      const result = parseFrames(encodeFrame({ opcode: 8, payload: body }), client);
      expect(result.error, String(code)).toBeUndefined();
      expect(result.messages[0]).toMatchObject({ type: "close", closeCode: code, text: "ok ✓" });
    }
    const empty = parseFrames(hex("88 00"), client);
    expect(empty.messages[0]).toMatchObject({ type: "close" });
    expect(empty.messages[0].closeCode).toBeUndefined();
  });

  it("does not validate UTF-8 of compressed text (the caller validates after inflating)", () => {
    const result = parseFrames(hex("c1 02 ff ff"), {
      role: "client",
      extensions: { permessageDeflate: true },
    });
    expect(result.error).toBeUndefined();
    expect(result.messages[0]).toMatchObject({ type: "text", compressed: true });
    expect(result.messages[0].text).toBeUndefined();
  });
});
