import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFrames, type ParsedMessage } from "../../../src/protocol/frame-parser.ts";
import { encodeFrame } from "../../../src/protocol/frame-encoder.ts";
import { applyMask } from "../../../src/protocol/mask.ts";
import { concatBytes } from "../../../src/protocol/hex.ts";

interface MessageSpec {
  type: "text" | "binary" | "ping" | "pong";
  payload: Uint8Array;
  /** Fragment sizes for data messages (the last fragment takes the rest). */
  cuts: readonly number[];
  /** A control frame to put between the first and second fragment. */
  interleavedPing?: Uint8Array | undefined;
}

const textPayload = fc
  .string({ unit: "binary", maxLength: 300 })
  .map((text) => new TextEncoder().encode(text));
const binaryPayload = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 65530, max: 66000 })
      .map((length) => new Uint8Array(length).map((_, i) => i * 31)),
  },
);
const controlPayload = fc.uint8Array({ maxLength: 125 });

const messageSpec: fc.Arbitrary<MessageSpec> = fc.oneof(
  fc.record({
    type: fc.constant("text" as const),
    payload: textPayload,
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    interleavedPing: fc.option(controlPayload, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant("binary" as const),
    payload: binaryPayload,
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    interleavedPing: fc.option(controlPayload, { nil: undefined }),
  }),
  fc.record({
    type: fc.constantFrom("ping" as const, "pong" as const),
    payload: controlPayload,
    cuts: fc.constant([]),
  }),
);

const maskKey = fc.uint8Array({ minLength: 4, maxLength: 4 });

/** Encodes messages; returns the bytes and the messages the parser must report, in order. */
function encodeStream(specs: MessageSpec[], masked: boolean, keys: Uint8Array[]) {
  let keyIndex = 0;
  const maskGenerator = () => keys[keyIndex++ % keys.length];
  const frames: Uint8Array[] = [];
  const expected: Array<{ type: string; data: Uint8Array }> = [];
  for (const spec of specs) {
    if (spec.type === "ping" || spec.type === "pong") {
      frames.push(
        encodeFrame(
          { opcode: spec.type === "ping" ? 9 : 10, payload: spec.payload, mask: masked },
          { maskGenerator },
        ),
      );
      expected.push({ type: spec.type, data: spec.payload });
      continue;
    }
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (const cut of spec.cuts) {
      const end = start + (cut % (spec.payload.length - start + 1));
      pieces.push(spec.payload.subarray(start, end));
      start = end;
    }
    pieces.push(spec.payload.subarray(start));
    pieces.forEach((piece, i) => {
      const opcode = i === 0 ? (spec.type === "text" ? 1 : 2) : 0;
      frames.push(
        encodeFrame(
          { opcode, fin: i === pieces.length - 1, payload: piece, mask: masked },
          { maskGenerator },
        ),
      );
      if (i === 0 && pieces.length > 1 && spec.interleavedPing) {
        frames.push(
          encodeFrame(
            { opcode: 9, payload: spec.interleavedPing, mask: masked },
            { maskGenerator },
          ),
        );
        expected.push({ type: "ping", data: spec.interleavedPing });
      }
    });
    expected.push({ type: spec.type, data: spec.payload });
  }
  return { bytes: concatBytes(frames), expected };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const positions = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let previous = 0;
  for (const position of [...positions, bytes.length]) {
    chunks.push(bytes.subarray(previous, position));
    previous = position;
  }
  return chunks;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

const simplify = (messages: ParsedMessage[]) =>
  messages.map((message) => ({ type: message.type, data: message.data }));

describe("encode → decode round trips", () => {
  it("decodes random streams of fragmented, masked or unmasked messages, in random chunks, to the messages encoded", () => {
    fc.assert(
      fc.property(
        fc.array(messageSpec, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.array(maskKey, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (specs, masked, keys, cuts, trace) => {
          const { bytes, expected } = encodeStream(specs, masked, keys);
          const result = parseFrames(split(bytes, cuts), {
            role: masked ? "server" : "client",
            trace,
          });
          expect(result.error).toBeUndefined();
          expect(result.remainingBytes).toBe(0);
          expect(simplify(result.messages)).toEqual(expected);
          const textMessages = result.messages.filter((message) => message.type === "text");
          for (const message of textMessages)
            expect(message.text).toBe(new TextDecoder().decode(message.data));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("decodes a single random frame to the header fields it was encoded with", () => {
    fc.assert(
      fc.property(
        fc.record({
          fin: fc.boolean(),
          rsv1: fc.boolean(),
          opcode: fc.constant(2),
          payload: fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc
              .integer({ min: 65536, max: 65600 })
              .map((length) => new Uint8Array(length).map((_, i) => (i * 131) >> 3)),
          ),
          mask: fc.boolean(),
          maskingKey: maskKey,
        }),
        (frame) => {
          const bytes = encodeFrame(frame);
          const result = parseFrames(bytes, {
            role: frame.mask ? "server" : "client",
            extensions: { permessageDeflate: true },
          });
          expect(result.error).toBeUndefined();
          const [parsed] = result.frames;
          expect(parsed).toMatchObject({
            fin: frame.fin,
            rsv1: frame.rsv1,
            opcode: frame.opcode,
            masked: frame.mask,
            payloadLength: frame.payload.length,
          });
          expect(sameBytes(parsed.payload, frame.payload)).toBe(true);
          expect(parsed.byteLength).toBe(bytes.length);
          if (frame.mask)
            expect(sameBytes(parsed.wirePayload, applyMask(frame.payload, frame.maskingKey))).toBe(
              true,
            );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("unmasks what it masked (applyMask is its own inverse)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), maskKey, (payload, key) => {
        expect(applyMask(applyMask(payload, key), key)).toEqual(payload);
      }),
    );
  });
});
