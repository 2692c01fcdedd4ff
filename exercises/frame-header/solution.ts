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
  // TODO: read the bits of byte 0 and byte 1, then the extended length and the masking key.
  return null;
}
