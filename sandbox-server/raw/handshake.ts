import type { IncomingMessage } from "node:http";
import { acceptKeySync, isValidWebSocketKey } from "../../src/protocol/index.ts";

/** The opening handshake was acceptable: the `Sec-WebSocket-Accept` value to answer with. */
export interface AcceptedHandshake {
  ok: true;
  accept: string;
}

/** The opening handshake was refused: the HTTP answer to send instead of `101`. */
export interface RefusedHandshake {
  ok: false;
  status: 400 | 426;
  reason: string;
  /** One sentence a student can act on (the response body). */
  explanation: string;
  headers: Record<string, string>;
}

export type HandshakeCheck = AcceptedHandshake | RefusedHandshake;

function refuse(explanation: string): RefusedHandshake {
  return { ok: false, status: 400, reason: "Bad Request", explanation, headers: {} };
}

function hasToken(value: string | string[] | undefined, token: string): boolean {
  const text = Array.isArray(value) ? value.join(",") : (value ?? "");
  return text.split(",").some((item) => item.trim().toLowerCase() === token);
}

/**
 * Checks a client's opening handshake (RFC 6455 §4.2.1) in the order the RFC
 * lists the fields, and computes `Sec-WebSocket-Accept` (§4.2.2 step 5.4).
 */
export function checkOpeningHandshake(request: IncomingMessage): HandshakeCheck {
  // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
  if (request.method !== "GET")
    return refuse(`The opening handshake must be a GET request, not ${request.method}.`);
  if (
    request.httpVersionMajor < 1 ||
    (request.httpVersionMajor === 1 && request.httpVersionMinor < 1)
  )
    return refuse(
      `The opening handshake needs HTTP/1.1 or higher, not HTTP/${request.httpVersion}.`,
    );
  // Item 3: Upgrade must contain "websocket".
  if (!hasToken(request.headers.upgrade, "websocket"))
    return refuse("The Upgrade header must contain the token websocket.");
  // Item 4: Connection must contain "Upgrade".
  if (!hasToken(request.headers.connection, "upgrade"))
    return refuse("The Connection header must contain the token Upgrade.");
  // Item 5: Sec-WebSocket-Key, base64 of 16 bytes.
  const key = request.headers["sec-websocket-key"];
  if (typeof key !== "string" || !isValidWebSocketKey(key.trim()))
    return refuse("Sec-WebSocket-Key must be the base64 encoding of 16 random bytes.");
  // Item 6 / §4.4: an unsupported version gets 426 and the versions we speak.
  const version = request.headers["sec-websocket-version"];
  if (version === undefined)
    return {
      ...refuse("Sec-WebSocket-Version is missing: this server speaks version 13."),
      headers: { "Sec-WebSocket-Version": "13" },
    };
  if (version.trim() !== "13")
    return {
      ok: false,
      status: 426,
      reason: "Upgrade Required",
      explanation: `Sec-WebSocket-Version ${version} is not supported: this server speaks version 13.`,
      headers: { "Sec-WebSocket-Version": "13" },
    };
  return { ok: true, accept: acceptKeySync(key.trim()).accept };
}

/** The raw text of the `101 Switching Protocols` answer. */
export function switchingProtocolsResponse(accept: string): string {
  return [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${accept}`,
    "",
    "",
  ].join("\r\n");
}

/** The raw text of a refusal (plain-text body, connection closed afterwards). */
export function refusalResponse(refusal: RefusedHandshake): string {
  const body = `${refusal.status} ${refusal.reason}: ${refusal.explanation}\n`;
  const lines = [
    `HTTP/1.1 ${refusal.status} ${refusal.reason}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(refusal.headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
