/**
 * RFC 6455 frame encoder. The mask generator is injectable so tests (and
 * the visualizer's "build a frame" form) are deterministic.
 */
import { maskInto } from "./mask.ts";
import { OPCODE_CLOSE, isControlOpcode, isKnownOpcode } from "./opcodes.ts";

export interface FrameToEncode {
  /** Default true. */
  fin?: boolean;
  /** permessage-deflate: set on the first frame of a compressed message. Default false. */
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  opcode: number;
  /** Strings are encoded as UTF-8. Default empty. */
  payload?: Uint8Array | string;
  /** Mask the payload (clients must, servers must not). Default false. */
  mask?: boolean;
  /** Use this key instead of calling the mask generator. */
  maskingKey?: Uint8Array;
}

/** Returns 4 fresh random bytes per call. */
export type MaskGenerator = () => Uint8Array;

export interface EncodeOptions {
  /** Default: `crypto.getRandomValues` (a fresh key per frame, RFC 6455 §5.3). */
  maskGenerator?: MaskGenerator;
  /**
   * Throw on frames RFC 6455 forbids (reserved opcode, control frame over 125
   * bytes or fragmented). Default true; false lets a lesson build broken frames.
   */
  validate?: boolean;
}

export const randomMaskGenerator: MaskGenerator = () => crypto.getRandomValues(new Uint8Array(4));

let sharedTextEncoder: TextEncoder | undefined;
export function encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  sharedTextEncoder ??= new TextEncoder();
  return sharedTextEncoder.encode(text);
}

/** Length of the header for a payload length and mask flag. */
export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  const lengthBytes = payloadLength < 126 ? 0 : payloadLength < 65536 ? 2 : 8;
  return 2 + lengthBytes + (masked ? 4 : 0);
}

/** Encodes one frame; the length uses the minimal encoding (§5.2). */
export function encodeFrame(frame: FrameToEncode, options: EncodeOptions = {}): Uint8Array {
  const payload =
    typeof frame.payload === "string"
      ? encodeUtf8(frame.payload)
      : (frame.payload ?? new Uint8Array(0));
  const fin = frame.fin ?? true;
  const opcode = frame.opcode;
  if (options.validate ?? true) {
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15 || !isKnownOpcode(opcode)) {
      throw new RangeError(`Invalid opcode ${opcode}`);
    }
    if (isControlOpcode(opcode) && payload.length > 125) {
      throw new RangeError("Control frame payloads are limited to 125 bytes (RFC 6455 §5.5)");
    }
    if (isControlOpcode(opcode) && !fin)
      throw new RangeError("Control frames must not be fragmented (RFC 6455 §5.5)");
  }
  const mask = frame.mask ?? false;
  const length = payload.length;
  const out = new Uint8Array(frameHeaderLength(length, mask) + length);
  out[0] =
    (fin ? 0x80 : 0) |
    (frame.rsv1 ? 0x40 : 0) |
    (frame.rsv2 ? 0x20 : 0) |
    (frame.rsv3 ? 0x10 : 0) |
    (opcode & 0x0f);
  let at = 2;
  if (length < 126) {
    out[1] = length;
  } else if (length < 65536) {
    out[1] = 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
    at = 4;
  } else {
    out[1] = 127;
    const high = Math.floor(length / 2 ** 32);
    const low = length >>> 0;
    out[2] = high >>> 24;
    out[3] = (high >>> 16) & 0xff;
    out[4] = (high >>> 8) & 0xff;
    out[5] = high & 0xff;
    out[6] = low >>> 24;
    out[7] = (low >>> 16) & 0xff;
    out[8] = (low >>> 8) & 0xff;
    out[9] = low & 0xff;
    at = 10;
  }
  if (mask) {
    out[1] |= 0x80;
    const key = frame.maskingKey ?? (options.maskGenerator ?? randomMaskGenerator)();
    if (key.length !== 4) throw new RangeError("A masking key is 4 bytes");
    out.set(key, at);
    at += 4;
    maskInto(payload, key, out, at);
  } else {
    out.set(payload, at);
  }
  return out;
}

/** Close body: 2-byte big-endian code + UTF-8 reason (§5.5.1). No code → empty body. */
export function encodeClosePayload(code?: number, reason = ""): Uint8Array {
  if (code === undefined) {
    if (reason) throw new RangeError("A close reason needs a close code");
    return new Uint8Array(0);
  }
  const reasonBytes = encodeUtf8(reason);
  if (reasonBytes.length > 123) throw new RangeError("Close reason longer than 123 bytes");
  const out = new Uint8Array(2 + reasonBytes.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(reasonBytes, 2);
  return out;
}

/** A complete close frame. */
export function encodeCloseFrame(
  close: { code?: number; reason?: string; mask?: boolean; maskingKey?: Uint8Array },
  options: EncodeOptions = {},
): Uint8Array {
  return encodeFrame(
    {
      opcode: OPCODE_CLOSE,
      payload: encodeClosePayload(close.code, close.reason),
      mask: close.mask,
      maskingKey: close.maskingKey,
    },
    options,
  );
}
