/**
 * Every protocol error the frame parser can report, made in one place.
 *
 * Errors are values: the parser stops and hands back a `ProtocolError` (with
 * the partial frame) so a UI can still draw the broken frame, and a server
 * can close the connection with `closeCode`. Tests assert on `code` and
 * `closeCode`, never on `message`.
 */

/** The close code sent when failing the connection (RFC 6455 §7.4.1). */
export type FailCloseCode = 1002 | 1007 | 1009;

export interface ProtocolErrorInfo {
  /** Close code the endpoint sends when it fails the connection. */
  closeCode: FailCloseCode;
  /** RFC section that makes this an error. */
  rfcSection: string;
  /** One sentence, for docs and hover text. */
  description: string;
}

/** The one table of frame-level error codes (also in docs/protocol/errors.md). */
export const protocolErrors = {
  WS_ERR_INVALID_OPCODE: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.2",
    description: "Opcode 3–7 or B–F is reserved for future use; no extension defined it.",
  },
  WS_ERR_EXPECTED_MASK: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.1",
    description:
      "A client frame arrived at the server without the MASK bit: clients must mask every frame.",
  },
  WS_ERR_UNEXPECTED_MASK: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.1",
    description:
      "A server frame arrived at the client with the MASK bit set: servers must not mask.",
  },
  WS_ERR_UNEXPECTED_RSV_1: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.2, RFC 7692 §6",
    description:
      "RSV1 is set but no extension gives it a meaning here (permessage-deflate allows it only on the first frame of a data message).",
  },
  WS_ERR_UNEXPECTED_RSV_2: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.2",
    description: "RSV2 is set but no negotiated extension defines it.",
  },
  WS_ERR_UNEXPECTED_RSV_3: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.2",
    description: "RSV3 is set but no negotiated extension defines it.",
  },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.5",
    description: "A control frame (close, ping, pong) carries more than 125 bytes of payload.",
  },
  WS_ERR_EXPECTED_FIN: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.5",
    description: "A control frame has FIN = 0: control frames must not be fragmented.",
  },
  WS_ERR_NON_MINIMAL_LENGTH: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.2",
    description:
      "The payload length uses a longer encoding than needed (126 for < 126 bytes, 127 for < 65536 bytes).",
  },
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.2",
    description: "The most significant bit of the 64-bit payload length is set; it must be 0.",
  },
  WS_ERR_INVALID_CONTINUATION_FRAME: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.4",
    description:
      "A continuation frame (opcode 0) arrived while no fragmented message was in progress.",
  },
  WS_ERR_UNEXPECTED_DATA_FRAME: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.4",
    description:
      "A new text or binary frame arrived before the fragmented message in progress was finished.",
  },
  WS_ERR_INVALID_UTF8: {
    closeCode: 1007,
    rfcSection: "RFC 6455 §8.1",
    description: "A text message is not valid UTF-8 (checked across frame boundaries).",
  },
  WS_ERR_INVALID_CLOSE_CODE: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §7.4",
    description:
      "A close frame carries a status code that must not appear on the wire or is not assigned.",
  },
  WS_ERR_INVALID_CLOSE_PAYLOAD: {
    closeCode: 1002,
    rfcSection: "RFC 6455 §5.5.1",
    description:
      "A close frame has a 1-byte body: the body is empty or starts with a 2-byte status code.",
  },
  WS_ERR_INVALID_CLOSE_REASON: {
    closeCode: 1007,
    rfcSection: "RFC 6455 §5.5.1, §8.1",
    description: "The reason in a close frame is not valid UTF-8.",
  },
  WS_ERR_MESSAGE_TOO_BIG: {
    closeCode: 1009,
    rfcSection: "RFC 6455 §7.4.1",
    description:
      "The message (all its frames together) is larger than the configured maxMessageSize.",
  },
} as const satisfies Record<string, ProtocolErrorInfo>;

export type ProtocolErrorCode = keyof typeof protocolErrors;

/** A protocol error as a value. */
export interface ProtocolError {
  code: ProtocolErrorCode;
  closeCode: FailCloseCode;
  /** Human-readable; do not match on it, match on `code`. */
  message: string;
  /** Absolute byte offset in the stream where the offending field starts. */
  offset: number;
  /** The frame field that revealed the error (see `frameFields`). */
  field: string;
  /** Index of the frame (in stream order) that caused the error. */
  frameIndex: number;
}

/** Makes a protocol error value; the only place such values are built. */
export function makeProtocolError(
  code: ProtocolErrorCode,
  where: { offset: number; field: string; frameIndex: number },
  detail?: string,
): ProtocolError {
  const info: ProtocolErrorInfo = protocolErrors[code];
  return {
    code,
    closeCode: info.closeCode,
    message: detail ? `${info.description} (${detail})` : info.description,
    offset: where.offset,
    field: where.field,
    frameIndex: where.frameIndex,
  };
}
