/** XOR `payload` with the 4-byte `maskingKey` (RFC 6455 §5.3). */
export function unmask(payload: Uint8Array, maskingKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = payload[i] ^ maskingKey[i % 4];
  return out;
}
