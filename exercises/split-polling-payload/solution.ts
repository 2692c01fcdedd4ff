export type PacketType =
  "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop" | "error";

export interface Packet {
  type: PacketType;
  data?: string | Uint8Array;
}

/** Decode an HTTP long-polling body into Engine.IO v4 packets. */
export function decodePayload(payload: string): Packet[] {
  // TODO: split on "\x1e", then decode each packet's type and data.
  return [{ type: "message", data: payload }];
}
