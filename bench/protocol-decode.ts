/**
 * Decode throughput of the frame parser on a synthetic capture: a mix of
 * masked client frames (small text, medium binary, fragmented messages,
 * pings, 64 KiB+ binary), pushed in TCP-sized chunks.
 *
 *   node bench/protocol-decode.ts
 */
import { FrameParser } from "../src/protocol/frame-parser.ts";
import { encodeFrame } from "../src/protocol/frame-encoder.ts";
import { concatBytes } from "../src/protocol/hex.ts";

let seed = 42;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const maskGenerator = () =>
  new Uint8Array([random() * 256, random() * 256, random() * 256, random() * 256]);
const masked = { maskGenerator };

function textOf(length: number): string {
  let out = "";
  const words = ["hello", "world", "socket", "frame", "wire", "lab", "über", "naïve", "→", "✓"];
  while (out.length < length) out += words[Math.floor(random() * words.length)] + " ";
  return out.slice(0, length);
}

const frames: Uint8Array[] = [];
let total = 0;
while (total < 64 * 1024 * 1024) {
  const kind = random();
  let frame: Uint8Array;
  if (kind < 0.4)
    frame = encodeFrame({ opcode: 1, payload: textOf(20 + random() * 200), mask: true }, masked);
  else if (kind < 0.7)
    frame = encodeFrame(
      { opcode: 2, payload: new Uint8Array(500 + random() * 8000).fill(7), mask: true },
      masked,
    );
  else if (kind < 0.8) {
    frame = concatBytes([
      encodeFrame({ opcode: 1, fin: false, payload: textOf(1000), mask: true }, masked),
      encodeFrame({ opcode: 9, payload: "ping", mask: true }, masked),
      encodeFrame({ opcode: 0, payload: textOf(3000), mask: true }, masked),
    ]);
  } else if (kind < 0.9)
    frame = encodeFrame(
      { opcode: 2, payload: new Uint8Array(65536 + random() * 200000).fill(3), mask: true },
      masked,
    );
  else frame = encodeFrame({ opcode: 10, payload: "", mask: true }, masked);
  frames.push(frame);
  total += frame.length;
}
const capture = concatBytes(frames);

/** TCP-ish chunks of 16 KiB, so frames straddle chunk boundaries. */
const CHUNK = 16 * 1024;
const chunks: Uint8Array[] = [];
for (let at = 0; at < capture.length; at += CHUNK) chunks.push(capture.subarray(at, at + CHUNK));

function run(trace: boolean): { mbPerSecond: number; messages: number } {
  const parser = new FrameParser({ role: "server", trace, maxMessageSize: 1 << 30 });
  let messages = 0;
  const start = performance.now();
  for (const chunk of chunks) {
    const out = parser.push(chunk);
    if (out.error) throw new Error(out.error.code);
    messages += out.messages.length;
  }
  const seconds = (performance.now() - start) / 1000;
  return { mbPerSecond: capture.length / 1e6 / seconds, messages };
}

for (let i = 0; i < 2; i++) run(false); // warm-up
const results = { traceOff: [] as number[], traceOn: [] as number[] };
let messageCount = 0;
for (let i = 0; i < 5; i++) {
  const off = run(false);
  messageCount = off.messages;
  results.traceOff.push(off.mbPerSecond);
  results.traceOn.push(run(true).mbPerSecond);
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(
  `capture: ${(capture.length / 1e6).toFixed(1)} MB, ${frames.length} frame groups, ${messageCount} messages, ${CHUNK / 1024} KiB chunks`,
);
console.log(`trace off: ${median(results.traceOff).toFixed(0)} MB/s (median of 5)`);
console.log(`trace on:  ${median(results.traceOn).toFixed(0)} MB/s (median of 5)`);
