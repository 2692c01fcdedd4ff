/**
 * Engine.IO protocol v4 packets (the transport layer under Socket.IO).
 *
 *   <type>[<data>]   type: 0 open, 1 close, 2 ping, 3 pong, 4 message, 5 upgrade, 6 noop
 *
 * Over WebSocket one frame carries one packet: text frames as above, binary
 * frames are binary "message" packets with no type prefix. Over HTTP
 * long-polling a body joins packets with the record separator \x1e and binary
 * packets are sent as "b" + base64.
 */
import { base64Decode, base64Encode } from "./base64.ts";

export const engineIoPacketTypes = [
  "open",
  "close",
  "ping",
  "pong",
  "message",
  "upgrade",
  "noop",
] as const;
export type EngineIoPacketType = (typeof engineIoPacketTypes)[number];

/** The record separator that joins packets in a polling payload. */
export const ENGINE_IO_RECORD_SEPARATOR = "\x1e";

/** The JSON of an open packet (`0{"sid":…}`). */
export interface EngineIoOpenData {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload?: number;
}

export interface EngineIoPacket {
  type: EngineIoPacketType;
  /** Text after the type digit, or the bytes of a binary message. */
  data?: string | Uint8Array;
  /** True for binary message packets (binary frame, or "b" + base64 in polling). */
  binary: boolean;
  /** Decoded JSON of an open packet. */
  open?: EngineIoOpenData;
}

export type EngineIoErrorCode =
  | "EIO_ERR_EMPTY_PACKET"
  | "EIO_ERR_UNKNOWN_PACKET_TYPE"
  | "EIO_ERR_INVALID_BASE64"
  | "EIO_ERR_INVALID_OPEN_PACKET";

/** A packet that could not be decoded: a value, so the visualizer can still show it. */
export interface EngineIoDecodeError {
  type: "error";
  code: EngineIoErrorCode;
  message: string;
  raw: string | Uint8Array;
}

export function isEngineIoError(
  packet: EngineIoPacket | EngineIoDecodeError,
): packet is EngineIoDecodeError {
  return packet.type === "error";
}

function error(
  code: EngineIoErrorCode,
  message: string,
  raw: string | Uint8Array,
): EngineIoDecodeError {
  return { type: "error", code, message, raw };
}

/**
 * Decodes one packet: a WebSocket text frame's string, a WebSocket binary
 * frame's bytes, or one element of a polling payload.
 */
export function decodeEngineIoPacket(
  raw: string | Uint8Array,
): EngineIoPacket | EngineIoDecodeError {
  if (typeof raw !== "string") return { type: "message", data: raw, binary: true };
  if (raw.length === 0) return error("EIO_ERR_EMPTY_PACKET", "Empty packet", raw);
  if (raw[0] === "b") {
    try {
      return { type: "message", data: base64Decode(raw.slice(1)), binary: true };
    } catch {
      return error("EIO_ERR_INVALID_BASE64", "Invalid base64 after the b prefix", raw);
    }
  }
  const typeId = raw.charCodeAt(0) - 48;
  const type = engineIoPacketTypes[typeId];
  if (type === undefined || raw.length === 0) {
    return error("EIO_ERR_UNKNOWN_PACKET_TYPE", `Unknown packet type "${raw[0]}"`, raw);
  }
  const packet: EngineIoPacket = { type, binary: false };
  if (raw.length > 1) packet.data = raw.slice(1);
  if (type === "open") {
    let open: unknown;
    try {
      open = JSON.parse(raw.slice(1));
    } catch {
      return error("EIO_ERR_INVALID_OPEN_PACKET", "Open packet data is not JSON", raw);
    }
    const candidate = open as Partial<EngineIoOpenData> | null;
    if (
      candidate === null ||
      typeof candidate !== "object" ||
      typeof candidate.sid !== "string" ||
      !Array.isArray(candidate.upgrades) ||
      typeof candidate.pingInterval !== "number" ||
      typeof candidate.pingTimeout !== "number"
    ) {
      return error(
        "EIO_ERR_INVALID_OPEN_PACKET",
        "Open packet lacks sid, upgrades, pingInterval or pingTimeout",
        raw,
      );
    }
    packet.open = candidate as EngineIoOpenData;
  }
  return packet;
}

/** Splits a polling body on \x1e and decodes each packet. */
export function decodeEngineIoPayload(body: string): Array<EngineIoPacket | EngineIoDecodeError> {
  return body.split(ENGINE_IO_RECORD_SEPARATOR).map((packet) => decodeEngineIoPacket(packet));
}

/**
 * Encodes a packet. `transport: "websocket"` returns bytes for binary
 * messages (sent as a binary frame); "polling" always returns a string.
 */
export function encodeEngineIoPacket(
  packet: { type: EngineIoPacketType; data?: string | Uint8Array },
  transport: "websocket" | "polling" = "websocket",
): string | Uint8Array {
  if (packet.data instanceof Uint8Array) {
    if (packet.type !== "message") throw new TypeError("Only message packets carry binary data");
    return transport === "websocket" ? packet.data : "b" + base64Encode(packet.data);
  }
  return String(engineIoPacketTypes.indexOf(packet.type)) + (packet.data ?? "");
}

/** Joins packets into a polling body. */
export function encodeEngineIoPayload(
  packets: ReadonlyArray<{ type: EngineIoPacketType; data?: string | Uint8Array }>,
): string {
  return packets
    .map((packet) => encodeEngineIoPacket(packet, "polling") as string)
    .join(ENGINE_IO_RECORD_SEPARATOR);
}

/** "Engine.IO open (sid …, upgrades websocket, ping every 25000 ms)", "Engine.IO ping (probe)"… */
export function describeEngineIoPacket(packet: EngineIoPacket | EngineIoDecodeError): string {
  if (packet.type === "error") return `Engine.IO invalid packet (${packet.code})`;
  switch (packet.type) {
    case "open": {
      const open = packet.open as EngineIoOpenData;
      const upgrades = open.upgrades.length ? open.upgrades.join(", ") : "none";
      return `Engine.IO open (sid ${open.sid}, upgrades ${upgrades}, ping every ${open.pingInterval} ms, timeout ${open.pingTimeout} ms)`;
    }
    case "ping":
    case "pong":
      return packet.data === "probe"
        ? `Engine.IO ${packet.type} probe (transport upgrade test)`
        : `Engine.IO ${packet.type} (heartbeat)`;
    case "upgrade":
      return "Engine.IO upgrade (switch to this transport)";
    case "noop":
      return "Engine.IO noop (ends a pending poll during the upgrade)";
    case "close":
      return "Engine.IO close";
    case "message":
      return packet.binary
        ? `Engine.IO message (binary, ${(packet.data as Uint8Array).length} bytes)`
        : "Engine.IO message";
  }
}
