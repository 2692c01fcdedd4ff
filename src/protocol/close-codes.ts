/**
 * WebSocket close status codes: RFC 6455 §7.4.1 plus the IANA "WebSocket
 * Close Code Number Registry" additions 1012–1014 (and 1015 from §7.4.1).
 */

export interface CloseCodeInfo {
  code: number;
  name: string;
  meaning: string;
  /** False for codes that only report a local condition (§7.4.1: "MUST NOT be set as a status code in a Close control frame"). */
  sendable: boolean;
  source: string;
}

function entry(
  code: number,
  name: string,
  meaning: string,
  sendable: boolean,
  source = "RFC 6455 §7.4.1",
): CloseCodeInfo {
  return { code, name, meaning, sendable, source };
}

/** 1000–1015. 1004 is reserved without a meaning. */
export const closeCodes: readonly CloseCodeInfo[] = [
  entry(
    1000,
    "Normal Closure",
    "The purpose for which the connection was established has been fulfilled.",
    true,
  ),
  entry(
    1001,
    "Going Away",
    "An endpoint is going away: a server going down or a browser navigating away from the page.",
    true,
  ),
  entry(
    1002,
    "Protocol Error",
    "The endpoint is terminating the connection due to a protocol error.",
    true,
  ),
  entry(
    1003,
    "Unsupported Data",
    "The endpoint received a type of data it cannot accept (e.g. binary when it only understands text).",
    true,
  ),
  entry(
    1004,
    "Reserved",
    "Reserved; the meaning might be defined in the future. Never sent.",
    false,
  ),
  entry(
    1005,
    "No Status Received",
    "Reported locally when a close frame had no status code. Never sent on the wire.",
    false,
  ),
  entry(
    1006,
    "Abnormal Closure",
    "Reported locally when the connection closed without a close frame. Never sent on the wire.",
    false,
  ),
  entry(
    1007,
    "Invalid Frame Payload Data",
    "The endpoint received data inconsistent with the message type (e.g. non-UTF-8 in a text message).",
    true,
  ),
  entry(
    1008,
    "Policy Violation",
    "The endpoint received a message that violates its policy.",
    true,
  ),
  entry(
    1009,
    "Message Too Big",
    "The endpoint received a message too big for it to process.",
    true,
  ),
  entry(
    1010,
    "Mandatory Extension",
    "The client expected the server to negotiate one or more extensions and it did not.",
    true,
  ),
  entry(
    1011,
    "Internal Error",
    "The server encountered an unexpected condition that prevented it from fulfilling the request.",
    true,
  ),
  entry(1012, "Service Restart", "The server is restarting.", true, "IANA registry"),
  entry(
    1013,
    "Try Again Later",
    "The server is temporarily unavailable (e.g. overloaded); try again later.",
    true,
    "IANA registry",
  ),
  entry(
    1014,
    "Bad Gateway",
    "The server, acting as a gateway, received an invalid response from upstream.",
    true,
    "IANA registry",
  ),
  entry(
    1015,
    "TLS Handshake",
    "Reported locally when the TLS handshake failed. Never sent on the wire.",
    false,
  ),
];

/** Codes that must never appear in a close frame. */
export const localOnlyCloseCodes: readonly number[] = [1005, 1006, 1015];

/** 3000–3999: registered with IANA by libraries, frameworks and applications. */
export const REGISTERED_CLOSE_CODE_RANGE = [3000, 3999] as const;
/** 4000–4999: private use, by agreement between the two endpoints. */
export const PRIVATE_CLOSE_CODE_RANGE = [4000, 4999] as const;

export type CloseCodeRange = "unused" | "protocol" | "registered" | "private" | "invalid";

/** Which range of §7.4.2 a code falls in. */
export function closeCodeRange(code: number): CloseCodeRange {
  if (!Number.isInteger(code) || code < 0 || code > 4999) return "invalid";
  if (code < 1000) return "unused";
  if (code < 3000) return "protocol";
  if (code < 4000) return "registered";
  return "private";
}

/** The table entry for a code in 1000–1015, else undefined. */
export function closeCodeInfo(code: number): CloseCodeInfo | undefined {
  return closeCodes[code - 1000];
}

/**
 * May a received close frame carry this code? (RFC 6455 §7.4, IANA registry.)
 * Valid: 1000–1003, 1007–1014, 3000–4999. Invalid: < 1000, 1004–1006, 1015,
 * 1016–2999 (reserved for future protocol revisions), ≥ 5000.
 */
export function isValidReceivedCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return Number.isInteger(code);
  const info = closeCodeInfo(code);
  return info !== undefined && info.sendable && Number.isInteger(code);
}

/** A short human name: "1000 Normal Closure", "4001 (private use)". */
export function describeCloseCode(code: number): string {
  const info = closeCodeInfo(code);
  if (info) return `${code} ${info.name}`;
  switch (closeCodeRange(code)) {
    case "registered":
      return `${code} (registered: libraries, frameworks, applications)`;
    case "private":
      return `${code} (private use)`;
    case "protocol":
      return `${code} (reserved for future RFC 6455 revisions)`;
    default:
      return `${code} (not a valid close code)`;
  }
}
