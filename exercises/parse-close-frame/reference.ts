export type CloseInfo =
  { valid: true; code: number | null; reason: string } | { valid: false; closeCode: 1002 | 1007 };

/** Codes that may appear in a close frame on the wire (RFC 6455 §7.4). */
function isValidWireCode(code: number): boolean {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

/** Read the code and reason of a close frame's payload (RFC 6455 §5.5.1, §7.4). */
export function parseClosePayload(payload: Uint8Array): CloseInfo {
  if (payload.length === 0) return { valid: true, code: null, reason: "" };
  if (payload.length === 1) return { valid: false, closeCode: 1002 };
  const code = (payload[0] << 8) | payload[1];
  if (!isValidWireCode(code)) return { valid: false, closeCode: 1002 };
  try {
    const reason = new TextDecoder("utf-8", { fatal: true }).decode(payload.subarray(2));
    return { valid: true, code, reason };
  } catch {
    return { valid: false, closeCode: 1007 };
  }
}
