import { createHash } from "node:crypto";

/** The GUID every WebSocket server appends to the key (RFC 6455 §1.3). */
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Compute the value of the `Sec-WebSocket-Accept` response header for a
 * client's `Sec-WebSocket-Key` (RFC 6455 §4.2.2).
 */
export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key + WEBSOCKET_GUID)
    .digest("base64");
}
