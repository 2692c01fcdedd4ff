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
 * Writes `source ^ key` into `target` starting at `targetOffset`. Works a
 * 32-bit word at a time where alignment allows: this is the parser's hot path.
 */
export function maskInto(
  source: Uint8Array,
  key: Uint8Array,
  target: Uint8Array,
  targetOffset: number,
): void {
  const length = source.length;
  const k0 = key[0];
  const k1 = key[1];
  const k2 = key[2];
  const k3 = key[3];
  let i = 0;
  if ((target.byteOffset + targetOffset) % 4 === 0 && length >= 16) {
    // The target is word aligned: read bytes, write whole words.
    const words = new Uint32Array(target.buffer, target.byteOffset + targetOffset, length >>> 2);
    const littleEndian = isLittleEndian;
    const wordKey = littleEndian
      ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0
      : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3) >>> 0;
    for (let w = 0; w < words.length; w++, i += 4) {
      const word = littleEndian
        ? source[i] | (source[i + 1] << 8) | (source[i + 2] << 16) | (source[i + 3] << 24)
        : (source[i] << 24) | (source[i + 1] << 16) | (source[i + 2] << 8) | source[i + 3];
      words[w] = word ^ wordKey;
    }
  }
  for (; i < length; i++) {
    target[targetOffset + i] = source[i] ^ key[i & 3];
  }
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
