/**
 * Sec-WebSocket-Accept (RFC 6455 §4.2.2 step 5.4, §1.3):
 * base64(SHA-1(Sec-WebSocket-Key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
 *
 * The point of the exchange: the server proves it read a real WebSocket
 * handshake, so non-WebSocket clients can't be abused against it. It gives
 * no authentication, privacy or integrity.
 */
import { base64Decode, base64Encode } from "./base64.ts";
import { encodeUtf8 } from "./frame-encoder.ts";
import { sha1 } from "./sha1.ts";

/** The GUID RFC 6455 §1.3 appends to the key. */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The intermediate values, for the step-by-step handshake display. */
export interface AcceptKeySteps {
  key: string;
  /** key + GUID. */
  concatenated: string;
  sha1Bytes: Uint8Array;
  /** Lower-case hex of the 20 SHA-1 bytes. */
  sha1Hex: string;
  /** base64 of the SHA-1 bytes: the Sec-WebSocket-Accept value. */
  accept: string;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function stepsFrom(key: string, digest: Uint8Array): AcceptKeySteps {
  return {
    key,
    concatenated: key + WEBSOCKET_GUID,
    sha1Bytes: digest,
    sha1Hex: hex(digest),
    accept: base64Encode(digest),
  };
}

/** Computes every step with Web Crypto (pure-TS SHA-1 where `crypto.subtle` is missing: non-secure contexts). */
export async function acceptKeySteps(key: string): Promise<AcceptKeySteps> {
  const input = encodeUtf8(key + WEBSOCKET_GUID);
  const subtle = globalThis.crypto?.subtle;
  const digest = subtle ? new Uint8Array(await subtle.digest("SHA-1", input)) : sha1(input);
  return stepsFrom(key, digest);
}

/** The Sec-WebSocket-Accept value for a Sec-WebSocket-Key. */
export async function acceptKey(key: string): Promise<string> {
  return (await acceptKeySteps(key)).accept;
}

/** Synchronous variant (pure-TS SHA-1), for code paths that cannot await. */
export function acceptKeySync(key: string): AcceptKeySteps {
  return stepsFrom(key, sha1(encodeUtf8(key + WEBSOCKET_GUID)));
}

/** §4.2.1 item 4: the key must be base64 of exactly 16 bytes. */
export function isValidWebSocketKey(key: string): boolean {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return false;
  try {
    return base64Decode(key).length === 16;
  } catch {
    return false;
  }
}
