/**
 * Socket.IO protocol v5 packets, carried in Engine.IO "message" packets:
 *
 *   <type>[<attachments>-][<nsp>,][<ackId>][JSON]
 *
 * types: 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR,
 * 5 BINARY_EVENT, 6 BINARY_ACK. Binary arguments are replaced by
 * {"_placeholder":true,"num":n} and sent as the following binary messages.
 */
import {
  decodeEngineIoPacket,
  decodeEngineIoPayload,
  describeEngineIoPacket,
  type EngineIoDecodeError,
  type EngineIoPacket,
} from "./engine-io.ts";

export const socketIoPacketTypes = [
  "CONNECT",
  "DISCONNECT",
  "EVENT",
  "ACK",
  "CONNECT_ERROR",
  "BINARY_EVENT",
  "BINARY_ACK",
] as const;
export type SocketIoPacketType = (typeof socketIoPacketTypes)[number];

/** Event names reserved on both sides (emitting one throws). */
export const reservedSocketIoEvents: readonly string[] = [
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
];

export interface SocketIoPacket {
  type: SocketIoPacketType;
  /** Namespace; "/" when absent on the wire. */
  nsp: string;
  /** Acknowledgement id. */
  id?: number;
  /** BINARY_EVENT / BINARY_ACK: number of binary attachments that follow. */
  attachments?: number;
  /** The decoded JSON (placeholders replaced once the attachments arrived). */
  data?: unknown;
}

export type SocketIoErrorCode =
  | "SIO_ERR_UNKNOWN_PACKET_TYPE"
  | "SIO_ERR_ILLEGAL_ATTACHMENTS"
  | "SIO_ERR_INVALID_JSON"
  | "SIO_ERR_INVALID_PAYLOAD"
  | "SIO_ERR_INVALID_PLACEHOLDER"
  | "SIO_ERR_UNEXPECTED_BINARY"
  | "SIO_ERR_EXPECTED_BINARY";

export interface SocketIoDecodeError {
  type: "error";
  code: SocketIoErrorCode;
  message: string;
  raw: string | Uint8Array;
}

export function isSocketIoError(
  packet: SocketIoPacket | SocketIoDecodeError,
): packet is SocketIoDecodeError {
  return packet.type === "error";
}

function error(
  code: SocketIoErrorCode,
  message: string,
  raw: string | Uint8Array,
): SocketIoDecodeError {
  return { type: "error", code, message, raw };
}

function isPlainObject(value: unknown): boolean {
  return Object.prototype.toString.call(value) === "[object Object]";
}

/** The payload rules of the reference parser, per packet type. */
function isPayloadValid(type: SocketIoPacketType, payload: unknown): boolean {
  switch (type) {
    case "CONNECT":
      return isPlainObject(payload);
    case "DISCONNECT":
      return payload === undefined;
    case "CONNECT_ERROR":
      return typeof payload === "string" || isPlainObject(payload);
    case "EVENT":
    case "BINARY_EVENT":
      return (
        Array.isArray(payload) &&
        (typeof payload[0] === "number" ||
          (typeof payload[0] === "string" && !reservedSocketIoEvents.includes(payload[0])))
      );
    case "ACK":
    case "BINARY_ACK":
      return Array.isArray(payload);
  }
}

/**
 * Decodes the text of one Socket.IO packet (the Engine.IO message data, i.e.
 * without the leading "4"). Binary packets come back with placeholders in
 * `data`; use `SocketIoDecoder` to get them reassembled.
 */
export function decodeSocketIoPacket(text: string): SocketIoPacket | SocketIoDecodeError {
  const type = socketIoPacketTypes[text.charCodeAt(0) - 48];
  if (type === undefined)
    return error("SIO_ERR_UNKNOWN_PACKET_TYPE", `Unknown packet type "${text[0] ?? ""}"`, text);
  const packet: SocketIoPacket = { type, nsp: "/" };
  let i = 1;
  if (type === "BINARY_EVENT" || type === "BINARY_ACK") {
    const dash = text.indexOf("-", i);
    const count = text.slice(i, dash);
    if (dash < 0 || !/^\d+$/.test(count))
      return error("SIO_ERR_ILLEGAL_ATTACHMENTS", "Illegal attachments", text);
    packet.attachments = Number(count);
    i = dash + 1;
  }
  if (text[i] === "/") {
    const comma = text.indexOf(",", i);
    const end = comma < 0 ? text.length : comma;
    packet.nsp = text.slice(i, end);
    i = comma < 0 ? end : end + 1;
  }
  const idMatch = /^\d+/.exec(text.slice(i));
  if (idMatch) {
    packet.id = Number(idMatch[0]);
    i += idMatch[0].length;
  }
  if (i < text.length) {
    let payload: unknown;
    try {
      payload = JSON.parse(text.slice(i));
    } catch {
      return error("SIO_ERR_INVALID_JSON", "Payload is not JSON", text);
    }
    if (!isPayloadValid(type, payload))
      return error("SIO_ERR_INVALID_PAYLOAD", `Invalid payload for ${type}`, text);
    packet.data = payload;
  } else if (type !== "DISCONNECT" && type !== "CONNECT") {
    // CONNECT without data is what v2 clients sent; DISCONNECT never has data.
    return error("SIO_ERR_INVALID_PAYLOAD", `${type} needs a payload`, text);
  }
  return packet;
}

/** Replaces {"_placeholder":true,"num":n} by attachments[n], recursively. Throws RangeError on a bad num. */
export function reconstructBinaryData(data: unknown, attachments: readonly Uint8Array[]): unknown {
  if (Array.isArray(data)) return data.map((item) => reconstructBinaryData(item, attachments));
  if (data !== null && typeof data === "object") {
    const record = data as Record<string, unknown>;
    if (record._placeholder === true) {
      const num = record.num;
      if (
        typeof num !== "number" ||
        !Number.isInteger(num) ||
        num < 0 ||
        num >= attachments.length
      ) {
        throw new RangeError("Illegal attachment index");
      }
      return attachments[num];
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record))
      out[key] = reconstructBinaryData(record[key], attachments);
    return out;
  }
  return data;
}

/** Result of feeding one Engine.IO message to a `SocketIoDecoder`. */
export type SocketIoDecoderResult =
  /** A complete packet (binary data reconstructed). */
  | { kind: "packet"; packet: SocketIoPacket }
  /** A binary packet header or an attachment; more attachments to come. */
  | { kind: "pending"; header: SocketIoPacket; received: number; expected: number }
  | { kind: "error"; error: SocketIoDecodeError };

/**
 * Stateful decoder of the Socket.IO messages of one connection direction:
 * keeps a binary packet until its attachments (the next binary messages)
 * have arrived.
 */
export class SocketIoDecoder {
  private pending: SocketIoPacket | undefined;
  private attachments: Uint8Array[] = [];

  push(message: string | Uint8Array): SocketIoDecoderResult {
    if (typeof message !== "string") {
      const header = this.pending;
      if (!header)
        return {
          kind: "error",
          error: error("SIO_ERR_UNEXPECTED_BINARY", "Binary data without a binary packet", message),
        };
      this.attachments.push(message);
      return this.completeIfReady(header);
    }
    if (this.pending) {
      this.pending = undefined;
      this.attachments = [];
      return {
        kind: "error",
        error: error(
          "SIO_ERR_EXPECTED_BINARY",
          "Text packet while waiting for attachments",
          message,
        ),
      };
    }
    const packet = decodeSocketIoPacket(message);
    if (isSocketIoError(packet)) return { kind: "error", error: packet };
    if (packet.attachments === undefined) return { kind: "packet", packet };
    this.pending = packet;
    this.attachments = [];
    return this.completeIfReady(packet);
  }

  private completeIfReady(header: SocketIoPacket): SocketIoDecoderResult {
    const expected = header.attachments ?? 0;
    if (this.attachments.length < expected) {
      return { kind: "pending", header, received: this.attachments.length, expected };
    }
    const attachments = this.attachments;
    this.pending = undefined;
    this.attachments = [];
    try {
      return {
        kind: "packet",
        packet: { ...header, data: reconstructBinaryData(header.data, attachments) },
      };
    } catch {
      return {
        kind: "error",
        error: error(
          "SIO_ERR_INVALID_PLACEHOLDER",
          "Placeholder refers to a missing attachment",
          "",
        ),
      };
    }
  }
}

/** Formats a value for a one-line description: strings bare at the top level, bytes as <binary n bytes>. */
function formatValue(value: unknown, topLevel: boolean): string {
  if (value instanceof Uint8Array) return `<binary ${value.length} bytes>`;
  if (typeof value === "string") return topLevel ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item, false)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([key, item]) => `${JSON.stringify(key)}: ${formatValue(item, false)}`,
    );
    return `{${entries.join(", ")}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

function formatArgs(args: readonly unknown[]): string {
  return `[${args.map((arg) => formatValue(arg, true)).join(", ")}]`;
}

/** "Socket.IO EVENT → event chat, args [hi]" (and namespace, ack id, attachments). */
export function describeSocketIoPacket(packet: SocketIoPacket | SocketIoDecodeError): string {
  if (packet.type === "error") return `Socket.IO invalid packet (${packet.code})`;
  const parts: string[] = [];
  if (packet.nsp !== "/") parts.push(`namespace ${packet.nsp}`);
  const data = packet.data;
  switch (packet.type) {
    case "CONNECT":
      if (isPlainObject(data) && typeof (data as { sid?: unknown }).sid === "string") {
        parts.push(`connected, socket id ${(data as { sid: string }).sid}`);
      } else if (data !== undefined && Object.keys(data as object).length > 0) {
        parts.push(`auth ${formatValue(data, false)}`);
      } else {
        parts.push(`connect to ${packet.nsp}`);
      }
      break;
    case "DISCONNECT":
      parts.push(`leave ${packet.nsp}`);
      break;
    case "CONNECT_ERROR":
      parts.push(`refused: ${formatValue(data, true)}`);
      break;
    case "EVENT":
    case "BINARY_EVENT": {
      const [name, ...args] = data as unknown[];
      parts.push(`event ${String(name)}, args ${formatArgs(args)}`);
      if (packet.id !== undefined) parts.push(`ack id ${packet.id} (the sender waits for an ACK)`);
      break;
    }
    case "ACK":
    case "BINARY_ACK":
      parts.push(`answer to ack id ${packet.id ?? "?"}, args ${formatArgs(data as unknown[])}`);
      break;
  }
  if (packet.attachments !== undefined) parts.push(`${packet.attachments} binary attachment(s)`);
  return `Socket.IO ${packet.type} → ${parts.join(", ")}`;
}

/** One Engine.IO packet seen on the wire, with its Socket.IO meaning if any. */
export interface SocketIoWireEntry {
  engineIo: EngineIoPacket | EngineIoDecodeError;
  /** The Socket.IO packet it completed (binary data reconstructed), if any. */
  socketIo?: SocketIoPacket;
  /** A binary packet header or attachment still waiting for more attachments. */
  pending?: { header: SocketIoPacket; received: number; expected: number };
  error?: SocketIoDecodeError;
  /** "Engine.IO message → Socket.IO EVENT → event chat, args [hi]". */
  description: string;
}

/**
 * Decodes what one direction of a Socket.IO connection carries, from the
 * WebSocket messages or the polling bodies, and says what each packet means.
 */
export class SocketIoWireDecoder {
  private socketIo = new SocketIoDecoder();

  /** One WebSocket message (text frame → string, binary frame → bytes) = one Engine.IO packet. */
  decodeWebSocketMessage(data: string | Uint8Array): SocketIoWireEntry {
    return this.decodeEngineIo(decodeEngineIoPacket(data));
  }

  /** One HTTP long-polling body: packets joined with \x1e. */
  decodePollingBody(body: string): SocketIoWireEntry[] {
    return decodeEngineIoPayload(body).map((packet) => this.decodeEngineIo(packet));
  }

  private decodeEngineIo(engineIo: EngineIoPacket | EngineIoDecodeError): SocketIoWireEntry {
    const engineDescription = describeEngineIoPacket(engineIo);
    if (engineIo.type !== "message") return { engineIo, description: engineDescription };
    const result = this.socketIo.push(engineIo.data ?? "");
    switch (result.kind) {
      case "packet":
        return {
          engineIo,
          socketIo: result.packet,
          description: `${engineDescription} → ${describeSocketIoPacket(result.packet)}`,
        };
      case "pending": {
        const { header, received, expected } = result;
        const what = engineIo.binary
          ? `attachment ${received} of ${expected} for ${header.type}`
          : `${describeSocketIoPacket(header)} (waiting for ${expected} binary attachment(s))`;
        return {
          engineIo,
          pending: result,
          description: `${engineDescription} → ${engineIo.binary ? "Socket.IO " : ""}${what}`,
        };
      }
      case "error":
        return {
          engineIo,
          error: result.error,
          description: `${engineDescription} → ${describeSocketIoPacket(result.error)}`,
        };
    }
  }
}
