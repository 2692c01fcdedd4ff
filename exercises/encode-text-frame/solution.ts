/** The bytes of one unmasked, final text frame carrying `text` (RFC 6455 §5.2). */
export function encodeTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  // TODO: a header (0x81, then the length in 7, 7+16 or 7+64 bits), then the payload.
  return payload;
}
