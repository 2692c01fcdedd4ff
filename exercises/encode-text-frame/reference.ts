/** The bytes of one unmasked, final text frame carrying `text` (RFC 6455 §5.2). */
export function encodeTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const length = payload.length;
  const extended = length < 126 ? 0 : length <= 0xffff ? 2 : 8;
  const frame = new Uint8Array(2 + extended + length);
  const view = new DataView(frame.buffer);
  frame[0] = 0x80 | 0x1; // FIN, text
  if (extended === 0) {
    frame[1] = length;
  } else if (extended === 2) {
    frame[1] = 126;
    view.setUint16(2, length);
  } else {
    frame[1] = 127;
    view.setBigUint64(2, BigInt(length));
  }
  frame.set(payload, 2 + extended);
  return frame;
}
