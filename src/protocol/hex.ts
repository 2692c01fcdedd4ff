/** Hex helpers for fixtures, the visualizer's hex view and "paste hex" boxes. */

/** "81 05 48 65" (spaces, newlines and 0x prefixes ignored) → bytes. Throws SyntaxError. */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/0x/gi, "").replace(/[\s,:]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean))
    throw new SyntaxError("Invalid hex string");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Bytes → "81 05 48 65" (separator configurable). */
export function bytesToHex(bytes: Uint8Array, separator = " "): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(separator);
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
