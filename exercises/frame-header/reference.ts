export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  payloadLength: number;
  maskingKey: Uint8Array | null;
  headerLength: number;
}

/**
 * Parse the header at the start of `bytes`, or return null when more bytes
 * are needed (RFC 6455 §5.2).
 */
export function parseFrameHeader(bytes: Uint8Array): FrameHeader | null {
  if (bytes.length < 2) return null;
  const masked = (bytes[1] & 0x80) !== 0;
  const length7 = bytes[1] & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  const headerLength = 2 + extended + (masked ? 4 : 0);
  if (bytes.length < headerLength) return null;

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let payloadLength = length7;
  if (length7 === 126) payloadLength = view.getUint16(2);
  if (length7 === 127) payloadLength = Number(view.getBigUint64(2));

  const keyStart = 2 + extended;
  return {
    fin: (bytes[0] & 0x80) !== 0,
    rsv1: (bytes[0] & 0x40) !== 0,
    rsv2: (bytes[0] & 0x20) !== 0,
    rsv3: (bytes[0] & 0x10) !== 0,
    opcode: bytes[0] & 0x0f,
    masked,
    payloadLength,
    maskingKey: masked ? bytes.slice(keyStart, keyStart + 4) : null,
    headerLength,
  };
}
