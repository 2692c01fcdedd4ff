/**
 * Compute the value of the `Sec-WebSocket-Accept` response header for a
 * client's `Sec-WebSocket-Key` (RFC 6455 §4.2.2).
 */
export function acceptKey(key: string): string {
  // TODO: append the GUID, hash with SHA-1, encode as base64.
  return key;
}
