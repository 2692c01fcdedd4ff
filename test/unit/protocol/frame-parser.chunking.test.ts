import { describe, expect, it } from "vitest";
import {
  FrameParser,
  parseFrames,
  type FrameParserOptions,
} from "../../../src/protocol/frame-parser.ts";
import { encodeFrame, encodeCloseFrame } from "../../../src/protocol/frame-encoder.ts";
import { concatBytes } from "../../../src/protocol/hex.ts";
import { comparable, fixedMasks, hex } from "./helpers.ts";

const masks = {
  maskGenerator: fixedMasks("37fa213d", "01020304", "a1b2c3d4", "00000000", "ffffffff", "13579bdf"),
};

/** Streams whose results must not depend on how they are chunked. */
const streams: Array<{ name: string; options: FrameParserOptions; bytes: Uint8Array }> = [
  { name: "unmasked Hello", options: { role: "client" }, bytes: hex("81 05 48 65 6c 6c 6f") },
  {
    name: "masked Hello",
    options: { role: "server" },
    bytes: hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
  },
  {
    name: "fragmented Hello with a ping in between",
    options: { role: "client" },
    bytes: hex("01 03 48 65 6c 89 05 48 65 6c 6c 6f 80 02 6c 6f"),
  },
  {
    name: "masked stream with 16- and 64-bit lengths, empty frames, a split code point and a close",
    options: { role: "server" },
    bytes: concatBytes([
      encodeFrame(
        { opcode: 2, payload: new Uint8Array(300).map((_, i) => i * 7), mask: true },
        masks,
      ),
      encodeFrame({ opcode: 1, payload: new Uint8Array(0), mask: true }, masks),
      encodeFrame({ opcode: 1, fin: false, payload: hex("e2 82"), mask: true }, masks), // "€" = e2 82 ac, split
      encodeFrame({ opcode: 9, payload: "", mask: true }, masks),
      encodeFrame({ opcode: 0, payload: hex("ac 21"), mask: true }, masks),
      encodeFrame({ opcode: 2, payload: new Uint8Array(70000).fill(3), mask: true }, masks),
      encodeCloseFrame({ code: 1000, reason: "bye", mask: true }, masks),
    ]),
  },
  {
    name: "permessage-deflate message (RFC 7692 Hello)",
    options: { role: "client", extensions: { permessageDeflate: true } },
    bytes: hex("c1 07 f2 48 cd c9 c9 07 00"),
  },
  {
    name: "a stream that ends in an error",
    options: { role: "server" },
    bytes: hex("81 85 37 fa 21 3d 7f 9f 4d 51 58 83 80 00 00 00 00"),
  },
];

function parseInChunks(bytes: Uint8Array, options: FrameParserOptions, cuts: number[]) {
  const chunks: Uint8Array[] = [];
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(previous, cut));
    previous = cut;
  }
  return parseFrames(chunks, options);
}

/** Every position for small streams; for big ones every header byte (± 2) and 100 spread over the payloads. */
function cutPositions(bytes: Uint8Array, options: FrameParserOptions): number[] {
  if (bytes.length <= 2000) return Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
  const cuts = new Set<number>();
  for (const frame of parseFrames(bytes, options).frames) {
    for (let i = -2; i <= frame.header.length + 2; i++) cuts.add(frame.offset + i);
  }
  for (let i = 1; i <= 100; i++) cuts.add(Math.floor((bytes.length * i) / 101));
  return [...cuts].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
}

describe("chunk boundaries", () => {
  for (const { name, options, bytes } of streams) {
    const whole = comparable(parseFrames(bytes, options));
    const cuts = cutPositions(bytes, options);

    it(`gives the same frames, messages, steps and error for "${name}" split at every position`, () => {
      for (const cut of cuts) {
        expect(comparable(parseInChunks(bytes, options, [cut])), `cut at ${cut}`).toEqual(whole);
      }
    });

    it(`gives the same results for "${name}" fed byte by byte (or at all those positions at once)`, () => {
      expect(comparable(parseInChunks(bytes, options, cuts))).toEqual(whole);
    });

    it(`gives the same results for "${name}" split at every pair of positions`, () => {
      if (bytes.length > 40) return;
      for (let a = 1; a < bytes.length; a++) {
        for (let b = a; b < bytes.length; b++) {
          expect(comparable(parseInChunks(bytes, options, [a, b])), `cuts ${a}, ${b}`).toEqual(
            whole,
          );
        }
      }
    });
  }

  it("accepts empty chunks without producing anything", () => {
    const parser = new FrameParser({ role: "client" });
    expect(parser.push(new Uint8Array(0))).toEqual({ frames: [], messages: [], steps: [] });
  });

  it("ignores bytes pushed after an error", () => {
    const parser = new FrameParser({ role: "server" });
    expect(parser.push(hex("81 05")).error?.code).toBe("WS_ERR_EXPECTED_MASK");
    expect(parser.push(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))).toEqual({
      frames: [],
      messages: [],
      steps: [],
    });
    expect(parser.error?.code).toBe("WS_ERR_EXPECTED_MASK");
  });
});
