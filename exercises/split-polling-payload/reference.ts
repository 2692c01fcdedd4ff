export type PacketType =
  "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop" | "error";

export interface Packet {
  type: PacketType;
  data?: string | Uint8Array;
}

const RECORD_SEPARATOR = "\x1e";
const TYPES: PacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

function decodePacket(text: string): Packet {
  if (text.startsWith("b")) {
    const binary = atob(text.slice(1));
    return { type: "message", data: Uint8Array.from(binary, (c) => c.charCodeAt(0)) };
  }
  const type = TYPES[Number(text[0])];
  if (!/^[0-6]$/.test(text[0] ?? "") || type === undefined)
    return { type: "error", data: "parser error" };
  return text.length > 1 ? { type, data: text.slice(1) } : { type };
}

/** Decode an HTTP long-polling body into Engine.IO v4 packets. */
export function decodePayload(payload: string): Packet[] {
  if (payload === "") return [];
  return payload.split(RECORD_SEPARATOR).map(decodePacket);
}
