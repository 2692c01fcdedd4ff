/** XOR `payload` with the 4-byte `maskingKey` (RFC 6455 §5.3). */
export function unmask(payload: Uint8Array, maskingKey: Uint8Array): Uint8Array {
  // TODO: out[i] = payload[i] ^ maskingKey[i % 4]
  return new Uint8Array(payload.length);
}
