/**
 * What the visualizer shows, computed without the DOM: the steps of a
 * timeline item (the parser's trace, payload bytes, handshake stages), the
 * RFC 6455 §5.2 bit-diagram rows driven by the field table, the byte ranges
 * a field highlights, fragment groups, and the position kept in the URL.
 */
import {
  bytesToHex,
  describeCloseCode,
  explain,
  frameFieldsByName,
  frameLayout,
  opcodeNames,
  protocolErrors,
  WEBSOCKET_GUID,
  type FieldPlacement,
  type FrameFieldName,
  type ParsedFrame,
  type PartialFrame,
  type ProtocolErrorCode,
  type TraceStep,
} from "../../protocol/index.ts";
import type { FrameItem, MessageRecord, Session, TimelineItem } from "./session.ts";

// ---------------------------------------------------------------------------
// Bit diagram

/** One cell of a 32-bit row: a field (or the part of it that fits the row). */
export interface BitSegment {
  field: FrameFieldName;
  label: string;
  /** First bit within the row (0–31). */
  startBit: number;
  width: number;
  /** Bit offset of this segment from the start of the frame. */
  frameBit: number;
  /** The field started on an earlier row / goes on in the next row. */
  continued: boolean;
  continues: boolean;
  /** Payload cells: which payload byte this is. */
  payloadByte?: number;
  /** The "… N more bytes" cell after the payload bytes shown. */
  moreBytes?: number;
}

export interface BitRow {
  /** Row number (row r holds frame bits 32r … 32r + 31). */
  index: number;
  segments: BitSegment[];
}

/** Payload bytes drawn as their own cells in the diagram; the rest is one "… more" cell. */
export const DIAGRAM_PAYLOAD_BYTES = 8;

/**
 * Lays the present fields of a frame out in 32-bit rows, as RFC 6455 §5.2
 * draws them. Fields wider than what is left of a row go on in the next.
 */
export function bitRows(
  placements: readonly FieldPlacement[],
  payloadBytesShown = DIAGRAM_PAYLOAD_BYTES,
): BitRow[] {
  interface Atom {
    field: FrameFieldName;
    frameBit: number;
    width: number;
    payloadByte?: number;
    moreBytes?: number;
  }
  const atoms: Atom[] = [];
  for (const placement of placements) {
    if (placement.name !== "payload") {
      atoms.push({
        field: placement.name,
        frameBit: placement.bitOffset,
        width: placement.bitWidth,
      });
      continue;
    }
    const length = placement.bitWidth / 8;
    const shown = Math.min(length, payloadBytesShown);
    for (let i = 0; i < shown; i++)
      atoms.push({
        field: "payload",
        frameBit: placement.bitOffset + i * 8,
        width: 8,
        payloadByte: i,
      });
    const end = placement.bitOffset + shown * 8;
    if (length > shown) {
      atoms.push({
        field: "payload",
        frameBit: end,
        width: 32 - (end % 32),
        moreBytes: length - shown,
      });
    }
  }
  const rows: BitRow[] = [];
  for (const atom of atoms) {
    let bit = atom.frameBit;
    const atomEnd = atom.frameBit + atom.width;
    while (bit < atomEnd) {
      const rowIndex = Math.floor(bit / 32);
      const rowEnd = (rowIndex + 1) * 32;
      const width = Math.min(atomEnd, rowEnd) - bit;
      let row = rows[rows.length - 1];
      if (!row || row.index !== rowIndex) {
        row = { index: rowIndex, segments: [] };
        rows.push(row);
      }
      row.segments.push({
        field: atom.field,
        label: frameFieldsByName[atom.field].label,
        startBit: bit % 32,
        width,
        frameBit: bit,
        continued: bit > atom.frameBit,
        continues: bit + width < atomEnd,
        payloadByte: atom.payloadByte,
        moreBytes: atom.moreBytes,
      });
      bit += width;
    }
  }
  return rows;
}

/** Byte range [start, end) of the frame that a field's bits touch. */
export function fieldByteRange(placement: {
  bitOffset: number;
  bitWidth: number;
}): [number, number] {
  return [
    Math.floor(placement.bitOffset / 8),
    Math.ceil((placement.bitOffset + placement.bitWidth) / 8),
  ];
}

/** The layout of a (possibly partial) frame: only the fields whose bytes are known. */
export function placementsOf(frame: ParsedFrame | PartialFrame): FieldPlacement[] {
  if (frame.payloadLength7 === undefined || frame.masked === undefined) {
    return [
      { name: "fin", bitOffset: 0, bitWidth: 1 },
      { name: "rsv1", bitOffset: 1, bitWidth: 1 },
      { name: "rsv2", bitOffset: 2, bitWidth: 1 },
      { name: "rsv3", bitOffset: 3, bitWidth: 1 },
      { name: "opcode", bitOffset: 4, bitWidth: 4 },
    ];
  }
  const layout = frameLayout({
    payloadLength7: frame.payloadLength7,
    masked: frame.masked,
    payloadLength: frame.payloadLength ?? 0,
  });
  if (frame.payloadLength !== undefined) return layout;
  // Length not read yet: stop before the fields it decides.
  const known = frame.header.length * 8;
  return layout.filter((placement) => placement.bitOffset < known && placement.name !== "payload");
}

// ---------------------------------------------------------------------------
// Steps

export type StepKind =
  "field" | "byte" | "need-more" | "frame" | "message" | "error" | "handshake" | "packet" | "event";

/** One position the student can step to. */
export interface VisualStep {
  kind: StepKind;
  /** What to highlight: a frame field name, or a handshake part / packet id. */
  target?: string;
  /** Frame-relative byte range to highlight in the hex view. */
  bytes?: [number, number];
  /** Frame-relative bit range (header fields). */
  bits?: [number, number];
  /** Frame-relative offset where a TCP chunk ended (need-more steps). */
  boundary?: number;
  /** Payload byte index (byte steps). */
  payloadByte?: number;
  /** Short name: "FIN", "Masking-key", "Payload byte 3". */
  label: string;
  /** The value as read: "1", "0x1 text", "37 fa 21 3d". */
  value?: string;
  /** One or two sentences for the explanation panel and the live region. */
  text: string;
  rfc?: string;
}

/** Payload bytes stepped one by one; after these, the rest of the payload is one step. */
export const STEPPED_PAYLOAD_BYTES = 32;

function hexByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

/** A printable rendering of a byte: the ASCII character, or "·". */
export function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : "·";
}

function fieldValue(step: Extract<TraceStep, { kind: "field" }>): string {
  switch (step.field) {
    case "fin":
    case "rsv1":
    case "rsv2":
    case "rsv3":
    case "mask":
      return step.value ? "1" : "0";
    case "opcode": {
      const opcode = Number(step.value);
      return `0x${opcode.toString(16).toUpperCase()} ${opcodeNames[opcode] ?? "reserved"}`;
    }
    case "maskingKey":
      return String(step.value).replace(/(..)(?!$)/g, "$1 ");
    case "payload":
      return `${step.value} byte${step.value === 1 ? "" : "s"}`;
    default:
      return String(step.value);
  }
}

const NEED_WHAT: Record<string, string> = {
  GET_INFO: "the first two header bytes",
  GET_PAYLOAD_LENGTH_16: "the 16-bit extended payload length",
  GET_PAYLOAD_LENGTH_64: "the 64-bit extended payload length",
  GET_MASK: "the 4-byte masking key",
  GET_DATA: "the payload",
};

/** The frame of a frame-like item, as far as it is known. */
export function itemFrame(item: TimelineItem): ParsedFrame | PartialFrame | undefined {
  if (item.kind === "frame") return item.frame;
  if (item.kind === "error" || item.kind === "pending") return item.frame;
  return undefined;
}

/** Steps of a frame from its parser trace, with the payload expanded byte by byte. */
export function frameSteps(
  trace: readonly TraceStep[],
  frame: ParsedFrame | PartialFrame | undefined,
  frameOffset: number,
  message?: MessageRecord,
): VisualStep[] {
  const steps: VisualStep[] = [];
  for (const step of trace) {
    switch (step.kind) {
      case "field": {
        const bits: [number, number] = [step.bitOffset, step.bitOffset + step.bitWidth];
        const range = fieldByteRange(step);
        const info = frameFieldsByName[step.field];
        if (step.field === "payload" && frame?.payload && step.bitWidth > 0) {
          const payloadStart = range[0];
          steps.push({
            kind: "field",
            target: "payload",
            bits,
            bytes: range,
            label: info.label,
            value: fieldValue(step),
            text: explain(step.explanationKey) ?? info.explanation,
            rfc: step.rfcSection,
          });
          const count = Math.min(frame.payload.length, STEPPED_PAYLOAD_BYTES);
          for (let i = 0; i < count; i++) steps.push(payloadByteStep(frame, payloadStart, i));
          if (frame.payload.length > count) {
            steps.push({
              kind: "byte",
              target: "payload",
              bytes: [payloadStart + count, range[1]],
              label: `Payload bytes ${count}–${frame.payload.length - 1}`,
              value: `${frame.payload.length - count} bytes`,
              text: frame.masked
                ? "The rest of the payload, unmasked the same way: byte i XOR key[i % 4]."
                : "The rest of the payload, as sent.",
              rfc: "RFC 6455 §5.3",
            });
          }
          break;
        }
        steps.push({
          kind: "field",
          target: step.field,
          bits,
          bytes: range,
          label: info.label,
          value:
            step.bits && step.bitWidth > 1 && step.bitWidth <= 16
              ? `${fieldValue(step)} (${step.bits})`
              : fieldValue(step),
          text: explain(step.explanationKey) ?? info.explanation,
          rfc: step.rfcSection,
        });
        break;
      }
      case "need-more": {
        const boundary = step.offset - frameOffset;
        steps.push({
          kind: "need-more",
          boundary,
          label: "TCP chunk ends",
          value: `need ${step.needed} more byte${step.needed === 1 ? "" : "s"}`,
          text: `This TCP chunk ended inside the frame. The parser stops and waits: it needs ${step.needed} more byte${step.needed === 1 ? "" : "s"} for ${NEED_WHAT[step.state] ?? "the next field"}. Chunk boundaries are normal: TCP carries bytes, not frames.`,
          rfc: "RFC 6455 §5.2",
        });
        break;
      }
      case "frame":
        steps.push({
          kind: "frame",
          bytes: [0, step.byteLength],
          label: "Frame complete",
          value: `${step.byteLength} bytes`,
          text: frameCompleteText(frame),
        });
        break;
      case "message":
        steps.push({
          kind: "message",
          label: "Message complete",
          value: step.messageType,
          text: message ? describeMessage(message) : `A ${step.messageType} message is complete.`,
        });
        break;
      case "error": {
        const info = protocolErrors[step.code as ProtocolErrorCode];
        steps.push({
          kind: "error",
          target: step.field,
          label: `Protocol error ${step.code}`,
          value: `close ${describeCloseCode(step.closeCode)}`,
          text: `${info.description} The receiver fails the connection with close code ${step.closeCode}.`,
          rfc: info.rfcSection,
        });
        break;
      }
    }
  }
  return steps;
}

function payloadByteStep(
  frame: ParsedFrame | PartialFrame,
  payloadStart: number,
  i: number,
): VisualStep {
  const plain = frame.payload![i];
  const key = frame.maskingKey;
  if (frame.masked && key && frame.wirePayload) {
    const wire = frame.wirePayload[i];
    return {
      kind: "byte",
      target: "payload",
      payloadByte: i,
      bytes: [payloadStart + i, payloadStart + i + 1],
      label: `Payload byte ${i}`,
      value: `${hexByte(wire)} ⊕ ${hexByte(key[i % 4])} = ${hexByte(plain)} “${printable(plain)}”`,
      text: `Unmasking: wire byte ${hexByte(wire)} XOR masking-key byte ${i % 4} (${hexByte(key[i % 4])}) gives ${hexByte(plain)}.`,
      rfc: "RFC 6455 §5.3",
    };
  }
  return {
    kind: "byte",
    target: "payload",
    payloadByte: i,
    bytes: [payloadStart + i, payloadStart + i + 1],
    label: `Payload byte ${i}`,
    value: `${hexByte(plain)} “${printable(plain)}”`,
    text: "Not masked: servers send the payload as is.",
    rfc: "RFC 6455 §5.1",
  };
}

function frameCompleteText(frame: ParsedFrame | PartialFrame | undefined): string {
  if (!frame || frame.byteLength === undefined) return "The frame is complete.";
  const header = frame.header.length;
  const payload = frame.payloadLength ?? 0;
  const key = frame.masked ? 4 : 0;
  const base = header - key;
  return `The frame is complete: ${frame.byteLength} bytes on the wire = ${base} header byte${base === 1 ? "" : "s"}${key ? " + 4 masking-key bytes" : ""} + ${payload} payload byte${payload === 1 ? "" : "s"}.`;
}

const textDecoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** Valid UTF-8 without control characters: worth showing as text. */
function isText(bytes: Uint8Array): boolean {
  try {
    const text = strictDecoder.decode(bytes);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The UTF-8 reason of a close message (after the 2-byte code). */
export function closeReason(message: { data: Uint8Array; text?: string }): string {
  return message.text ?? textDecoder.decode(message.data.subarray(2));
}

/** "Hello" for text, hex for binary, code + reason for close. */
export function messagePreview(record: MessageRecord, max = 80): string {
  const { message } = record;
  if (message.type === "close") {
    if (message.closeCode === undefined) return "no status code";
    const reason = closeReason(message);
    return `${describeCloseCode(message.closeCode)}${reason ? ` “${reason}”` : ""}`;
  }
  if (message.compressed) return `${message.data.length} compressed bytes`;
  if (
    message.type === "text" ||
    ((message.type === "ping" || message.type === "pong") && isText(message.data))
  ) {
    const text = message.text ?? textDecoder.decode(message.data);
    return text.length > max ? `${text.slice(0, max)}…` : text;
  }
  const shown = message.data.subarray(0, Math.ceil(max / 3));
  return bytesToHex(shown) + (message.data.length > shown.length ? " …" : "");
}

/** One sentence about a complete message: type, size, fragments, meaning. */
export function describeMessage(record: MessageRecord): string {
  const { message } = record;
  const fragments = message.frameIndices.length;
  const size = `${message.data.length} byte${message.data.length === 1 ? "" : "s"}`;
  let text = `${capitalize(message.type)} message, ${size}`;
  if (fragments > 1) text += `, reassembled from ${fragments} frames`;
  if (record.interleaved.length > 0)
    text += ` (with ${record.interleaved.length} control frame${record.interleaved.length === 1 ? "" : "s"} in between)`;
  if (message.compressed) text += ", compressed (permessage-deflate)";
  text += `: ${messagePreview(record)}`;
  if (record.socketIo) text += `. ${record.socketIo.description}`;
  return `${text}.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The fragments of a message and the control frames that arrived between them. */
export interface FragmentGroup {
  /** Frame indices of the message, in order. */
  fragments: number[];
  /** Control frames (by frame index) that came between the first and the last fragment. */
  interleaved: number[];
  /** 1-based position of a given frame among the fragments, or 0 if it is not one of them. */
  position(frameIndex: number): number;
}

/**
 * Groups the frames of one direction into a message's fragments plus the
 * control frames interleaved with them (RFC 6455 §5.4–5.5).
 */
export function fragmentGroup(
  fragments: readonly number[],
  controlFrames: readonly number[],
): FragmentGroup {
  const first = fragments[0];
  const last = fragments[fragments.length - 1];
  return {
    fragments: [...fragments],
    interleaved: controlFrames.filter((index) => index > first && index < last),
    position: (frameIndex) => fragments.indexOf(frameIndex) + 1,
  };
}

/** Steps of the handshake item: the request, the key, the accept computation, the answer. */
export function handshakeSteps(session: Session): VisualStep[] {
  const handshake = session.handshake;
  if (!handshake)
    return [{ kind: "handshake", label: "Handshake", text: "No handshake recorded." }];
  const steps: VisualStep[] = [];
  const request = handshake.request;
  steps.push({
    kind: "handshake",
    target: "request-line",
    label: "Request",
    value: request ? `${request.method} ${request.target}` : "unreadable",
    text: "The client opens an ordinary HTTP/1.1 GET request on a new TCP connection and asks the server to switch protocols.",
    rfc: "RFC 6455 §4.1",
  });
  steps.push({
    kind: "handshake",
    target: "upgrade",
    label: "Upgrade: websocket",
    value: "Connection: Upgrade",
    text: "Upgrade names the protocol wanted; Connection: Upgrade tells every hop that this request asks for it.",
    rfc: "RFC 6455 §4.1",
  });
  if (handshake.key && handshake.accept) {
    steps.push({
      kind: "handshake",
      target: "key",
      label: "Sec-WebSocket-Key",
      value: handshake.key,
      text: "16 random bytes, base64-encoded, fresh for this connection.",
      rfc: "RFC 6455 §4.1",
    });
    steps.push({
      kind: "handshake",
      target: "concat",
      label: "key + GUID",
      value: handshake.accept.concatenated,
      text: `The server appends the fixed GUID ${WEBSOCKET_GUID} to the key, as text.`,
      rfc: "RFC 6455 §1.3",
    });
    steps.push({
      kind: "handshake",
      target: "sha1",
      label: "SHA-1",
      value: handshake.accept.sha1Hex.replace(/(..)(?!$)/g, "$1 "),
      text: "It hashes that string with SHA-1: 20 bytes.",
      rfc: "RFC 6455 §4.2.2",
    });
    steps.push({
      kind: "handshake",
      target: "base64",
      label: "base64",
      value: handshake.accept.accept,
      text: "And base64-encodes the 20 bytes: that is the Sec-WebSocket-Accept value the server must send.",
      rfc: "RFC 6455 §4.2.2",
    });
  }
  const response = handshake.response;
  steps.push({
    kind: "handshake",
    target: "status",
    label: "Response",
    value: response ? `${response.status} ${response.reason}` : "unreadable",
    text:
      response?.status === 101
        ? "101 Switching Protocols: from the next byte on, this TCP connection carries WebSocket frames, not HTTP."
        : "The server did not switch protocols: no WebSocket frames follow.",
    rfc: "RFC 6455 §4.2.2",
  });
  if (handshake.acceptSent !== undefined) {
    steps.push({
      kind: "handshake",
      target: "accept",
      label: "Sec-WebSocket-Accept",
      value: `${handshake.acceptSent} ${handshake.acceptMatches ? "✓ matches" : "✗ does not match"}`,
      text: handshake.acceptMatches
        ? "The server's answer equals the value computed from your key: it proves the server read a real WebSocket handshake (not authentication, not encryption)."
        : "The server's answer differs from the value computed from the key: a browser would fail this connection.",
      rfc: "RFC 6455 §4.1",
    });
  }
  if (handshake.extensions) {
    steps.push({
      kind: "handshake",
      target: "extensions",
      label: "Sec-WebSocket-Extensions",
      value: handshake.extensions,
      text: handshake.permessageDeflate
        ? "permessage-deflate was negotiated: RSV1 marks compressed messages, which are inflated after reassembly."
        : "Extensions the server accepted.",
      rfc: handshake.permessageDeflate ? "RFC 7692 §5" : "RFC 6455 §9.1",
    });
  }
  return steps;
}

/** The steps of any timeline item. */
export function itemSteps(session: Session, item: TimelineItem): VisualStep[] {
  switch (item.kind) {
    case "handshake":
      return handshakeSteps(session);
    case "frame":
    case "error":
    case "pending": {
      const frame = itemFrame(item);
      const offset =
        item.kind === "pending" ? item.offset : (frame?.offset ?? item.checkpoint.offset);
      const steps = frameSteps(
        session.frameTrace(item),
        frame,
        offset,
        item.kind === "frame" ? item.message : undefined,
      );
      if (steps.length === 0)
        steps.push({
          kind: "need-more",
          boundary: 0,
          label: "Waiting",
          text: "Waiting for bytes.",
        });
      return steps;
    }
    case "http": {
      const { entry } = item;
      const steps: VisualStep[] = [
        {
          kind: "event",
          target: "http",
          label: item.direction === "client" ? "HTTP request" : "HTTP response",
          value: [entry.method, entry.url, entry.status]
            .filter((part) => part !== undefined)
            .join(" "),
          text:
            item.direction === "client"
              ? "Engine.IO long-polling: each HTTP request body carries packets joined by the record separator \\x1e."
              : "Engine.IO long-polling: the server answers a pending GET with the packets it has queued.",
          rfc: "Engine.IO v4",
        },
      ];
      item.packets.forEach((packet, index) =>
        steps.push({
          kind: "packet",
          target: `packet-${index}`,
          label: `Packet ${index + 1} of ${item.packets.length}`,
          value: packetText(packet.engineIo),
          text: packet.description,
          rfc: packet.socketIo ? "Socket.IO v5" : "Engine.IO v4",
        }),
      );
      return steps;
    }
    case "end":
      return [
        {
          kind: "event",
          label: "Connection ended",
          text: "The recorded TCP connection closed.",
        },
      ];
    case "truncated":
      return [
        {
          kind: "event",
          label: "Capture truncated",
          text: `The recorder stopped keeping bytes here${item.reason ? ` (${item.reason})` : ""}: captures are bounded so they never slow the demo down.`,
        },
      ];
  }
}

function packetText(packet: { type: string; data?: string | Uint8Array }): string {
  const types = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];
  const digit = types.indexOf(packet.type);
  if (packet.data instanceof Uint8Array) return `<binary ${packet.data.length} bytes>`;
  return `${digit >= 0 ? digit : ""}${packet.data ?? ""}`;
}

/** One line for the timeline row of an item. */
export function itemSummary(item: TimelineItem): string {
  switch (item.kind) {
    case "handshake": {
      const request = item.handshake.request;
      const status = item.handshake.response?.status;
      const path = request ? request.target.split("?")[0] : "";
      return `Handshake ${request ? `${request.method} ${path}` : ""} → ${status ?? "?"}`;
    }
    case "frame": {
      const { frame } = item;
      const name = frame.opcodeName ?? "reserved";
      let text = `${name} ${frame.payloadLength} B`;
      if (!frame.fin || frame.opcode === 0) {
        const group = item.message?.message.frameIndices;
        const position = group ? group.indexOf(frame.index) + 1 : 0;
        text += group ? ` · fragment ${position}/${group.length}` : " · fragment";
      }
      if (item.message && item.message.message.frameIndices.at(-1) === frame.index) {
        text += ` · ${messagePreview(item.message, 48)}`;
      }
      return text;
    }
    case "error":
      return `error ${item.error.code} → close ${item.error.closeCode}`;
    case "pending":
      return `waiting for bytes (${item.bufferedBytes} received)`;
    case "http": {
      const body = item.body.split(String.fromCharCode(0x1e)).join(" | ");
      const shown = body.length > 48 ? `${body.slice(0, 48)}…` : body;
      const head =
        item.direction === "client"
          ? `HTTP ${item.entry.method ?? ""}`
          : `HTTP ${item.entry.status ?? ""}`;
      return `${head} · ${shown || (item.direction === "client" ? "(poll)" : "(empty)")}`;
    }
    case "end":
      return "connection closed";
    case "truncated":
      return "capture truncated";
  }
}

/** Whether an item shows a frame diagram. */
export function isFrameLike(
  item: TimelineItem,
): item is Extract<TimelineItem, { kind: "frame" | "error" | "pending" }> {
  return item.kind === "frame" || item.kind === "error" || item.kind === "pending";
}

/** Opcode class for styling: data, control, continuation. */
export function frameClass(item: FrameItem): "data" | "control" | "continuation" {
  if (item.frame.opcode === 0) return "continuation";
  return item.frame.opcode >= 8 ? "control" : "data";
}

// ---------------------------------------------------------------------------
// Position in the URL: #capture=text-echo&frame=4&step=2

export interface ViewPosition {
  /** A shipped capture's name. */
  capture?: string;
  /** Timeline item index. */
  frame: number;
  /** Step within the item. */
  step: number;
}

/** Reads the position from a location hash; missing or bad numbers become 0. */
export function parsePosition(hash: string): ViewPosition {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const number = (name: string) => {
    const value = Number(params.get(name));
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  };
  const capture = params.get("capture") ?? undefined;
  return {
    capture: capture && /^[a-z0-9][a-z0-9-]{0,63}$/.test(capture) ? capture : undefined,
    frame: number("frame"),
    step: number("step"),
  };
}

/** Writes the position as a hash, keeping other parameters of an existing hash. */
export function formatPosition(position: ViewPosition, existingHash = ""): string {
  const params = new URLSearchParams(existingHash.replace(/^#/, ""));
  if (position.capture) params.set("capture", position.capture);
  else params.delete("capture");
  params.set("frame", String(position.frame));
  params.set("step", String(position.step));
  return `#${params.toString()}`;
}

// ---------------------------------------------------------------------------
// Navigation

export interface Cursor {
  item: number;
  step: number;
}

/**
 * Moves the cursor. `stepCount(i)` gives the number of steps of item i.
 * "step" moves one step (crossing into the neighbouring item), "item" moves
 * to the first step of the previous/next item; home/end go to the ends.
 */
export function move(
  cursor: Cursor,
  how: "next" | "previous" | "next-item" | "previous-item" | "home" | "end",
  itemCount: number,
  stepCount: (item: number) => number,
): Cursor {
  if (itemCount === 0) return { item: 0, step: 0 };
  const item = Math.min(Math.max(cursor.item, 0), itemCount - 1);
  const step = Math.min(Math.max(cursor.step, 0), Math.max(stepCount(item) - 1, 0));
  switch (how) {
    case "next":
      if (step + 1 < stepCount(item)) return { item, step: step + 1 };
      return item + 1 < itemCount ? { item: item + 1, step: 0 } : { item, step };
    case "previous":
      if (step > 0) return { item, step: step - 1 };
      return item > 0
        ? { item: item - 1, step: Math.max(stepCount(item - 1) - 1, 0) }
        : { item, step };
    case "next-item":
      return item + 1 < itemCount ? { item: item + 1, step: 0 } : { item, step };
    case "previous-item":
      return { item: Math.max(item - 1, 0), step: 0 };
    case "home":
      return { item: 0, step: 0 };
    case "end":
      return { item: itemCount - 1, step: 0 };
  }
}

/** Rows of a virtualized list to render for a scroll position (with overscan). */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 6,
): { start: number; end: number } {
  const start = Math.max(Math.floor(scrollTop / rowHeight) - overscan, 0);
  const end = Math.min(Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan, count);
  return { start, end: Math.max(end, start) };
}

/** "0x81" for every byte, grouped for a hex view. */
export function hexBytes(bytes: Uint8Array): string[] {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0"));
}
