/**
 * RFC 6455 §5.3 masking: `out[i] = in[i] ^ key[i % 4]`. The same operation
 * masks and unmasks.
 */

/** Returns a new array: `payload` XOR `key` (key is 4 bytes). */
export function applyMask(payload: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length);
  maskInto(payload, key, out, 0);
  return out;
}

/**
 * Writes `source ^ key` into `target` starting at `targetOffset`. This is the
 * parser's hot path: copy (memcpy), then XOR in place a 32-bit word at a time
 * over the aligned middle of the target.
 */
export function maskInto(
  source: Uint8Array,
  key: Uint8Array,
  target: Uint8Array,
  targetOffset: number,
): void {
  const length = source.length;
  target.set(source, targetOffset);
  let i = 0;
  if (length >= 32) {
    const start = target.byteOffset + targetOffset;
    const head = (4 - (start & 3)) & 3;
    for (; i < head; i++) target[targetOffset + i] ^= key[i & 3];
    const words = (length - i) >>> 2;
    const view = new Uint32Array(target.buffer, start + i, words);
    const k0 = key[i & 3];
    const k1 = key[(i + 1) & 3];
    const k2 = key[(i + 2) & 3];
    const k3 = key[(i + 3) & 3];
    const wordKey = isLittleEndian
      ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0
      : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3) >>> 0;
    for (let w = 0; w < words; w++) view[w] ^= wordKey;
    i += words * 4;
  }
  for (; i < length; i++) target[targetOffset + i] ^= key[i & 3];
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
