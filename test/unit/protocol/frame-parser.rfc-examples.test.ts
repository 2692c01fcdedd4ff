import { describe, expect, it } from "vitest";
import { FrameParser, parseFrame, parseFrames } from "../../../src/protocol/frame-parser.ts";
import { encodeFrame } from "../../../src/protocol/frame-encoder.ts";
import { bytesToHex } from "../../../src/protocol/hex.ts";
import { explain, frameFields, frameLayout } from "../../../src/protocol/frame-fields.ts";
import { fixedMasks, hex } from "./helpers.ts";

const decoder = new TextDecoder();

describe("RFC 6455 §5.7 examples", () => {
  it("parses a single-frame unmasked text message (81 05 48 65 6c 6c 6f) as a client", () => {
    const result = parseFrames(hex("81 05 48 65 6c 6c 6f"), { role: "client" });
    expect(result.error).toBeUndefined();
    expect(result.frames).toHaveLength(1);
    const [frame] = result.frames;
    expect(frame).toMatchObject({
      fin: true,
      rsv1: false,
      opcode: 1,
      opcodeName: "text",
      masked: false,
      payloadLength: 5,
      offset: 0,
      byteLength: 7,
    });
    expect(bytesToHex(frame.header)).toBe("81 05");
    expect(result.messages).toEqual([
      expect.objectContaining({
        type: "text",
        text: "Hello",
        frameIndices: [0],
        offset: 0,
        endOffset: 7,
        compressed: false,
      }),
    ]);
  });

  it("parses a single-frame masked text message (81 85 37 fa 21 3d 7f 9f 4d 51 58) as a server", () => {
    const result = parseFrames(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), { role: "server" });
    const [frame] = result.frames;
    expect(frame.masked).toBe(true);
    expect(bytesToHex(frame.maskingKey!)).toBe("37 fa 21 3d");
    expect(bytesToHex(frame.wirePayload)).toBe("7f 9f 4d 51 58");
    expect(decoder.decode(frame.payload)).toBe("Hello");
    expect(bytesToHex(frame.header)).toBe("81 85 37 fa 21 3d");
    expect(result.messages[0].text).toBe("Hello");
  });

  it("reassembles a fragmented unmasked text message (01 03 48 65 6c + 80 02 6c 6f)", () => {
    const result = parseFrames([hex("01 03 48 65 6c"), hex("80 02 6c 6f")], { role: "client" });
    expect(result.frames.map((frame) => [frame.fin, frame.opcodeName, frame.offset])).toEqual([
      [false, "text", 0],
      [true, "continuation", 5],
    ]);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({
      type: "text",
      text: "Hello",
      frameIndices: [0, 1],
      offset: 0,
      endOffset: 9,
    });
  });

  it("parses an unmasked ping (89 05 48 65 6c 6c 6f) as a control message", () => {
    const result = parseFrames(hex("89 05 48 65 6c 6c 6f"), { role: "client" });
    expect(result.messages[0]).toMatchObject({ type: "ping", frameIndices: [0] });
    expect(decoder.decode(result.messages[0].data)).toBe("Hello");
  });

  it("parses a masked pong (8a 85 37 fa 21 3d 7f 9f 4d 51 58) as a server", () => {
    const result = parseFrames(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), { role: "server" });
    expect(result.messages[0].type).toBe("pong");
    expect(decoder.decode(result.messages[0].data)).toBe("Hello");
  });

  it("reads a 16-bit extended length for a 256-byte binary message (82 7E 01 00)", () => {
    const payload = new Uint8Array(256).map((_, i) => i);
    const bytes = new Uint8Array([0x82, 0x7e, 0x01, 0x00, ...payload]);
    const result = parseFrames(bytes, { role: "client" });
    expect(result.frames[0]).toMatchObject({
      payloadLength7: 126,
      payloadLength: 256,
      byteLength: 260,
    });
    expect(result.messages[0].type).toBe("binary");
    expect(result.messages[0].data).toEqual(payload);
    expect(encodeFrame({ opcode: 2, payload })).toEqual(bytes);
  });

  it("reads a 64-bit extended length for a 64 KiB binary message (82 7F 00 00 00 00 00 01 00 00)", () => {
    const payload = new Uint8Array(65536).fill(0x5a);
    const bytes = new Uint8Array(10 + 65536);
    bytes.set(hex("82 7F 00 00 00 00 00 01 00 00"));
    bytes.set(payload, 10);
    const result = parseFrames(bytes, { role: "client" });
    expect(result.frames[0]).toMatchObject({ payloadLength7: 127, payloadLength: 65536 });
    expect(bytesToHex(result.frames[0].header)).toBe("82 7f 00 00 00 00 00 01 00 00");
    expect(result.messages[0].data).toEqual(payload);
    expect(encodeFrame({ opcode: 2, payload })).toEqual(bytes);
  });

  it("encodes every §5.7 example byte for byte", () => {
    const key = fixedMasks("37fa213d");
    expect(bytesToHex(encodeFrame({ opcode: 1, payload: "Hello" }))).toBe("81 05 48 65 6c 6c 6f");
    expect(
      bytesToHex(encodeFrame({ opcode: 1, payload: "Hello", mask: true }, { maskGenerator: key })),
    ).toBe("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    expect(bytesToHex(encodeFrame({ opcode: 1, fin: false, payload: "Hel" }))).toBe(
      "01 03 48 65 6c",
    );
    expect(bytesToHex(encodeFrame({ opcode: 0, payload: "lo" }))).toBe("80 02 6c 6f");
    expect(bytesToHex(encodeFrame({ opcode: 9, payload: "Hello" }))).toBe("89 05 48 65 6c 6c 6f");
    expect(
      bytesToHex(encodeFrame({ opcode: 10, payload: "Hello", mask: true }, { maskGenerator: key })),
    ).toBe("8a 85 37 fa 21 3d 7f 9f 4d 51 58");
  });
});

describe("step trace", () => {
  it("has one step per header field, with absolute offsets, bits and explanation keys, for the masked example", () => {
    // Prefix one unrelated frame so offsets are visibly absolute.
    const stream = parseFrames(hex("89 80 00 00 00 00 81 85 37 fa 21 3d 7f 9f 4d 51 58"), {
      role: "server",
    });
    const steps = stream.steps.filter((step) => step.frameIndex === 1);
    expect(
      steps.map((step) =>
        step.kind === "field"
          ? [
              step.state,
              step.field,
              step.offset,
              step.bitOffset,
              step.bitWidth,
              step.bits ?? null,
              step.value,
              step.explanationKey,
            ]
          : [step.kind, step.offset],
      ),
    ).toEqual([
      ["GET_INFO", "fin", 6, 0, 1, "1", true, "fin.final"],
      ["GET_INFO", "rsv1", 6, 1, 1, "0", false, "rsv1.clear"],
      ["GET_INFO", "rsv2", 6, 2, 1, "0", false, "rsv2.clear"],
      ["GET_INFO", "rsv3", 6, 3, 1, "0", false, "rsv3.clear"],
      ["GET_INFO", "opcode", 6, 4, 4, "0001", 1, "opcode.text"],
      ["GET_INFO", "mask", 7, 8, 1, "1", true, "mask.masked"],
      ["GET_INFO", "payloadLength", 7, 9, 7, "0000101", 5, "payloadLength.direct"],
      ["GET_MASK", "maskingKey", 8, 16, 32, null, "37fa213d", "maskingKey.key"],
      ["GET_DATA", "payload", 12, 48, 40, null, 5, "payload.text"],
      ["frame", 6],
      ["message", 17],
    ]);
  });

  it("records extended length steps in the GET_PAYLOAD_LENGTH_16/64 states", () => {
    const bytes = new Uint8Array(4 + 300);
    bytes.set(hex("82 7e 01 2c"));
    const steps = parseFrames(bytes, { role: "client" }).steps;
    const extended = steps.find(
      (step) => step.kind === "field" && step.field === "extendedPayloadLength16",
    );
    expect(extended).toMatchObject({
      state: "GET_PAYLOAD_LENGTH_16",
      offset: 2,
      bitOffset: 16,
      bitWidth: 16,
      value: 300,
      bits: "0000000100101100",
    });

    const big = new Uint8Array(10 + 65536);
    big.set(hex("82 7f 00 00 00 00 00 01 00 00"));
    const bigSteps = parseFrames(big, { role: "client" }).steps;
    expect(
      bigSteps.find((step) => step.kind === "field" && step.field === "extendedPayloadLength64"),
    ).toMatchObject({
      state: "GET_PAYLOAD_LENGTH_64",
      offset: 2,
      bitWidth: 64,
      value: 65536,
    });
  });

  it("says how many more bytes it needs when a frame stops mid-header or mid-payload", () => {
    const parser = new FrameParser({ role: "server" });
    expect(parser.push(hex("81")).steps).toEqual([
      {
        kind: "need-more",
        state: "GET_INFO",
        frameIndex: 0,
        offset: 1,
        needed: 1,
        explanationKey: "need-more",
      },
    ]);
    const afterInfo = parser.push(hex("85 37 fa"));
    expect(afterInfo.steps.at(-1)).toMatchObject({
      kind: "need-more",
      state: "GET_MASK",
      offset: 4,
      needed: 2,
    });
    expect(parser.partialFrame).toMatchObject({
      index: 0,
      offset: 0,
      fin: true,
      opcode: 1,
      masked: true,
      payloadLength: 5,
    });
    const afterKey = parser.push(hex("21 3d 7f"));
    expect(afterKey.steps.at(-1)).toMatchObject({
      kind: "need-more",
      state: "GET_DATA",
      offset: 7,
      needed: 4,
    });
    const done = parser.push(hex("9f 4d 51 58"));
    expect(done.messages[0].text).toBe("Hello");
    expect(parser.state).toBe("GET_INFO");
    expect(parser.offset).toBe(11);
  });

  it("collects no steps when the trace is off, with the same frames and messages", () => {
    const bytes = hex("01 03 48 65 6c 89 00 80 02 6c 6f");
    const traced = parseFrames(bytes, { role: "client" });
    const untraced = parseFrames(bytes, { role: "client", trace: false });
    expect(untraced.steps).toEqual([]);
    expect(untraced.frames).toEqual(traced.frames);
    expect(untraced.messages).toEqual(traced.messages);
  });

  it("names an explanation in the field table for every field step", () => {
    const bytes = hex("01 03 48 65 6c 89 00 80 02 6c 6f");
    for (const step of parseFrames(bytes, { role: "client" }).steps) {
      if (step.kind === "field")
        expect(explain(step.explanationKey), step.explanationKey).toBeTruthy();
    }
  });
});

describe("field table", () => {
  it("lists every §5.2 field in wire order with its RFC section", () => {
    expect(frameFields.map((field) => field.name)).toEqual([
      "fin",
      "rsv1",
      "rsv2",
      "rsv3",
      "opcode",
      "mask",
      "payloadLength",
      "extendedPayloadLength16",
      "extendedPayloadLength64",
      "maskingKey",
      "payload",
    ]);
    for (const field of frameFields) expect(field.rfcSection).toMatch(/RFC/);
  });

  it("lays out a masked frame with a 16-bit length as the parser reads it", () => {
    expect(
      frameLayout({ payloadLength7: 126, masked: true, payloadLength: 200 }).map((f) => [
        f.name,
        f.bitOffset,
        f.bitWidth,
      ]),
    ).toEqual([
      ["fin", 0, 1],
      ["rsv1", 1, 1],
      ["rsv2", 2, 1],
      ["rsv3", 3, 1],
      ["opcode", 4, 4],
      ["mask", 8, 1],
      ["payloadLength", 9, 7],
      ["extendedPayloadLength16", 16, 16],
      ["maskingKey", 32, 32],
      ["payload", 64, 1600],
    ]);
  });

  it("agrees with the bit offsets of the parser's steps", () => {
    const bytes = new Uint8Array(8 + 200);
    bytes.set(hex("82 fe 00 c8 01 02 03 04"));
    const steps = parseFrames(bytes, { role: "server" }).steps.filter(
      (step) => step.kind === "field",
    );
    const layout = frameLayout({ payloadLength7: 126, masked: true, payloadLength: 200 });
    expect(steps.map((step) => [step.field, step.bitOffset, step.bitWidth])).toEqual(
      layout.map((f) => [f.name, f.bitOffset, f.bitWidth]),
    );
  });
});

describe("parseFrame", () => {
  it("returns the first frame, its steps and the rest of the bytes", () => {
    const single = parseFrame(hex("81 05 48 65 6c 6c 6f 89 00"), { role: "client" });
    expect(single.frame?.opcodeName).toBe("text");
    expect(bytesToHex(single.rest)).toBe("89 00");
    expect(single.steps.every((step) => step.frameIndex === 0)).toBe(true);
  });
});
