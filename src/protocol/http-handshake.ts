/**
 * A tiny HTTP/1.1 message-head parser for the opening handshake (RFC 6455
 * §4.1, §4.2), for the visualizer and the hand-written server. Only the head:
 * the start line and header fields up to the empty line (RFC 9112 §2–§5).
 */

export interface HttpHeaderField {
  /** As sent. */
  name: string;
  value: string;
}

interface HttpHeadBase {
  httpVersion: string;
  /** In order, as sent (names keep their case). */
  headers: HttpHeaderField[];
  /** Length of the head in bytes including the final CRLF CRLF. */
  headLength: number;
}

export interface HttpRequestHead extends HttpHeadBase {
  kind: "request";
  method: string;
  target: string;
}

export interface HttpResponseHead extends HttpHeadBase {
  kind: "response";
  status: number;
  reason: string;
}

export type HttpHead = HttpRequestHead | HttpResponseHead;

export type HttpHeadResult =
  | { ok: true; head: HttpHead }
  | { ok: false; incomplete: true }
  | { ok: false; incomplete: false; error: string };

function latin1(bytes: Uint8Array, end: number): string {
  let out = "";
  for (let i = 0; i < end; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/** Index just past CRLF CRLF, or -1. */
export function findHeadEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13)
      return i + 1;
  }
  return -1;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses an HTTP request or response head from bytes (or a string). Returns
 * `incomplete` until CRLF CRLF has arrived; bytes after the head (e.g. the
 * first WebSocket frames) are not part of it: see `headLength`.
 */
export function parseHttpHead(input: Uint8Array | string): HttpHeadResult {
  const text = typeof input === "string" ? input : undefined;
  let headText: string;
  if (text !== undefined) {
    const end = text.indexOf("\r\n\r\n");
    if (end < 0) return { ok: false, incomplete: true };
    headText = text.slice(0, end + 4);
  } else {
    const end = findHeadEnd(input as Uint8Array);
    if (end < 0) return { ok: false, incomplete: true };
    headText = latin1(input as Uint8Array, end);
  }
  const lines = headText.slice(0, -4).split("\r\n");
  const startLine = lines[0];
  const headers: HttpHeaderField[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0)
      return { ok: false, incomplete: false, error: `Malformed header line "${line}"` };
    const name = line.slice(0, colon);
    // RFC 9112 §5.1: no whitespace between the field name and the colon.
    if (!TOKEN.test(name))
      return { ok: false, incomplete: false, error: `Invalid header name "${name}"` };
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  const headLength = headText.length;
  const response = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(startLine);
  if (response) {
    return {
      ok: true,
      head: {
        kind: "response",
        httpVersion: response[1],
        status: Number(response[2]),
        reason: response[3] ?? "",
        headers,
        headLength,
      },
    };
  }
  const request = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (HTTP\/\d\.\d)$/.exec(startLine);
  if (request) {
    return {
      ok: true,
      head: {
        kind: "request",
        method: request[1],
        target: request[2],
        httpVersion: request[3],
        headers,
        headLength,
      },
    };
  }
  return { ok: false, incomplete: false, error: `Malformed start line "${startLine}"` };
}

/** The value of a header (case-insensitive); repeated fields are joined with ", " (RFC 9110 §5.3). */
export function getHeader(head: HttpHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  const values = head.headers
    .filter((field) => field.name.toLowerCase() === lower)
    .map((field) => field.value);
  return values.length === 0 ? undefined : values.join(", ");
}

/** True when a comma-separated header (Connection, Upgrade) contains `token`, ignoring case. */
export function headerHasToken(head: HttpHead, name: string, token: string): boolean {
  const value = getHeader(head, name);
  if (value === undefined) return false;
  return value.split(",").some((item) => item.trim().toLowerCase() === token.toLowerCase());
}
