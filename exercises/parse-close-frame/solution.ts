export type CloseInfo =
  { valid: true; code: number | null; reason: string } | { valid: false; closeCode: 1002 | 1007 };

/** Read the code and reason of a close frame's payload (RFC 6455 §5.5.1, §7.4). */
export function parseClosePayload(payload: Uint8Array): CloseInfo {
  // TODO: check the length, read the code, validate it, decode the reason.
  return { valid: true, code: null, reason: "" };
}
