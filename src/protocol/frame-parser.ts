/**
 * Streaming RFC 6455 frame parser.
 *
 * A small state machine (GET_INFO → GET_PAYLOAD_LENGTH_16/64 → GET_MASK →
 * GET_DATA) that takes bytes in chunks of any size and returns early when it
 * needs more: chunk boundaries are the normal case. It emits
 *
 * - frames (every header field, header bytes, wire and unmasked payload, offset),
 * - messages (reassembled text/binary, and control frames as they arrive),
 * - a step trace: one step per header field, "need N more bytes", frame and
 *   message completion, error. The visualizer steps through exactly this.
 *
 * Errors are values: on the first protocol error the parser stops; the error
 * and the partially parsed frame stay available so a UI can still draw it.
 *
 * The parser keeps views of the chunks it was given (unmasked payloads are not
 * copied): do not mutate a chunk after pushing it.
 */
import { isValidReceivedCloseCode } from "./close-codes.ts";
import { makeProtocolError, type ProtocolError, type ProtocolErrorCode } from "./errors.ts";
import { frameFieldsByName, type FrameFieldName } from "./frame-fields.ts";
import { maskInto } from "./mask.ts";
import { isControlOpcode, isKnownOpcode, opcodeNames, type OpcodeName } from "./opcodes.ts";
import { Utf8Validator, isValidUtf8 } from "./utf8-validator.ts";

export type ParserState =
  "GET_INFO" | "GET_PAYLOAD_LENGTH_16" | "GET_PAYLOAD_LENGTH_64" | "GET_MASK" | "GET_DATA";

/**
 * Which side is parsing. "server" parses frames sent by a client (they must
 * be masked); "client" parses frames sent by a server (they must not be).
 */
export type ParserRole = "server" | "client";

export interface FrameParserOptions {
  role: ParserRole;
  /** Largest message (sum of its frames' payloads) accepted. Default 100 MiB, like ws. */
  maxMessageSize?: number;
  /** Negotiated extensions. Default: none. */
  extensions?: { permessageDeflate?: boolean };
  /** Collect the step trace. Default true; turn off on the server's hot path. */
  trace?: boolean;
  /** Decode text messages and close reasons into strings. Default true. */
  decodeText?: boolean;
}

export interface ParsedFrame {
  /** Position of the frame in the stream (0, 1, 2, …). */
  index: number;
  /** Absolute byte offset of the frame's first byte in the stream. */
  offset: number;
  /** Header + payload length in bytes. */
  byteLength: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  opcodeName: OpcodeName;
  masked: boolean;
  maskingKey: Uint8Array | null;
  /** The 7-bit length field as sent (0–127). */
  payloadLength7: number;
  payloadLength: number;
  /** The header bytes (2–14). */
  header: Uint8Array;
  /** Payload bytes as on the wire (masked if `masked`). */
  wirePayload: Uint8Array;
  /** Payload after unmasking. */
  payload: Uint8Array;
}

/** What is known of a frame the parser stopped in (after an error, or waiting for bytes). */
export type PartialFrame = Partial<ParsedFrame> & Pick<ParsedFrame, "index" | "offset" | "header">;

export type MessageType = "text" | "binary" | "close" | "ping" | "pong";

export interface ParsedMessage {
  index: number;
  type: MessageType;
  /** Reassembled payload (still compressed if `compressed`). */
  data: Uint8Array;
  /** Text messages (not compressed) and close reasons, when `decodeText`. */
  text?: string;
  /** RSV1 was set on the first frame (permessage-deflate): inflate `data`. */
  compressed: boolean;
  /** Indices of the frames that made this message. */
  frameIndices: number[];
  /** Absolute offset of the first frame and just past the last frame. */
  offset: number;
  endOffset: number;
  /** Close frames: the status code, if the body had one. */
  closeCode?: number;
}

interface StepBase {
  state: ParserState;
  frameIndex: number;
  /** Absolute byte offset in the stream. */
  offset: number;
  /** Key into the field table's explanations (or "need-more", "frame.complete", …). */
  explanationKey: string;
}

/** One header field (or the payload) read. */
export interface FieldStep extends StepBase {
  kind: "field";
  field: FrameFieldName;
  /** Bytes spanned (1 for single bits, which share their byte with neighbours). */
  byteLength: number;
  /** Bit offset of the field from the start of the frame. */
  bitOffset: number;
  /** Width in bits. */
  bitWidth: number;
  /** The bits read, as "0"/"1" characters (header fields up to 64 bits). */
  bits?: string;
  /** Decoded value: boolean for flags, number for opcode/lengths, hex for the key, length for the payload. */
  value: boolean | number | string;
  rfcSection: string;
}

/** The parser stopped because it needs more bytes. */
export interface NeedMoreStep extends StepBase {
  kind: "need-more";
  /** How many more bytes the current state needs before it can progress. */
  needed: number;
}

export interface FrameCompleteStep extends StepBase {
  kind: "frame";
  byteLength: number;
}

export interface MessageCompleteStep extends StepBase {
  kind: "message";
  messageIndex: number;
  messageType: MessageType;
}

export interface ErrorStep extends StepBase {
  kind: "error";
  field: string;
  code: ProtocolErrorCode;
  closeCode: number;
}

export type TraceStep =
  FieldStep | NeedMoreStep | FrameCompleteStep | MessageCompleteStep | ErrorStep;

/** What one `push` produced. */
export interface FrameParserOutput {
  frames: ParsedFrame[];
  messages: ParsedMessage[];
  /** Empty when the trace is disabled. */
  steps: TraceStep[];
  /** Set when this push hit a protocol error (the parser then stops). */
  error?: ProtocolError;
}

/** Default maximum message size: 100 MiB (ws's default maxPayload). */
export const DEFAULT_MAX_MESSAGE_SIZE = 100 * 1024 * 1024;

const EMPTY = new Uint8Array(0);

let sharedTextDecoder: TextDecoder | undefined;
function decodeUtf8(bytes: Uint8Array): string {
  sharedTextDecoder ??= new TextDecoder();
  return sharedTextDecoder.decode(bytes);
}

function toBits(value: number, width: number): string {
  return value.toString(2).padStart(width, "0");
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, "0");
  return out;
}

export class FrameParser {
  readonly role: ParserRole;
  readonly maxMessageSize: number;
  readonly permessageDeflate: boolean;
  readonly traceEnabled: boolean;
  readonly decodeText: boolean;

  private stateValue: ParserState = "GET_INFO";
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Absolute offset of the next byte to consume. */
  private position = 0;
  private failure: ProtocolError | undefined;

  // The frame being parsed.
  private frameCount = 0;
  private frame: PartialFrame | undefined;
  private headerScratch = new Uint8Array(14);
  private headerLength = 0;
  private fin = false;
  private rsv1 = false;
  private opcode = 0;
  private masked = false;
  private payloadLength = 0;
  private maskingKey: Uint8Array | null = null;

  // The data message being reassembled (opcode 0 = none in progress).
  private messageOpcode = 0;
  private messageCompressed = false;
  private messageParts: Uint8Array[] = [];
  private messageLength = 0;
  private messageFrames: number[] = [];
  private messageOffset = 0;
  private messageCount = 0;
  private utf8 = new Utf8Validator();

  // Output of the current push.
  private out: FrameParserOutput = { frames: [], messages: [], steps: [] };

  constructor(options: FrameParserOptions) {
    this.role = options.role;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.permessageDeflate = options.extensions?.permessageDeflate ?? false;
    this.traceEnabled = options.trace ?? true;
    this.decodeText = options.decodeText ?? true;
  }

  /** Current state of the machine. */
  get state(): ParserState {
    return this.stateValue;
  }

  /** Absolute offset of the next byte the parser will read. */
  get offset(): number {
    return this.position;
  }

  /** Bytes received but not yet consumed. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The error that stopped the parser, if any. */
  get error(): ProtocolError | undefined {
    return this.failure;
  }

  /** The frame in progress (after an error: the broken frame). */
  get partialFrame(): PartialFrame | undefined {
    return this.frame;
  }

  /** True while a fragmented data message is waiting for continuation frames. */
  get inFragmentedMessage(): boolean {
    return this.messageOpcode !== 0;
  }

  /** Feeds a chunk of the byte stream. After an error, further chunks are ignored. */
  push(chunk: Uint8Array): FrameParserOutput {
    const out: FrameParserOutput = { frames: [], messages: [], steps: [] };
    if (this.failure) return out;
    this.out = out;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    this.run();
    return out;
  }

  private run(): void {
    for (;;) {
      let progressed: boolean;
      switch (this.stateValue) {
        case "GET_INFO":
          progressed = this.getInfo();
          break;
        case "GET_PAYLOAD_LENGTH_16":
          progressed = this.getPayloadLength16();
          break;
        case "GET_PAYLOAD_LENGTH_64":
          progressed = this.getPayloadLength64();
          break;
        case "GET_MASK":
          progressed = this.getMask();
          break;
        case "GET_DATA":
          progressed = this.getData();
          break;
      }
      if (!progressed || this.failure) return;
    }
  }

  /** Returns false (after recording a need-more step) when fewer than `n` bytes are buffered. */
  private need(n: number): boolean {
    if (this.buffered >= n) return true;
    // A fresh frame with nothing buffered is not "waiting": the stream is simply at a frame boundary.
    if (this.traceEnabled && !(this.stateValue === "GET_INFO" && this.buffered === 0)) {
      this.out.steps.push({
        kind: "need-more",
        state: this.stateValue,
        frameIndex: this.frameCount,
        offset: this.position + this.buffered,
        needed: n - this.buffered,
        explanationKey: "need-more",
      });
    }
    return false;
  }

  /** Takes `n` buffered bytes (a view when they sit in one chunk, else a copy). */
  private consume(n: number): Uint8Array {
    this.buffered -= n;
    this.position += n;
    if (n === 0) return EMPTY;
    const first = this.chunks[0];
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const bytes = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const take = Math.min(chunk.length, n - filled);
      bytes.set(take === chunk.length ? chunk : chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    return bytes;
  }

  private addHeaderBytes(bytes: Uint8Array): void {
    this.headerScratch.set(bytes, this.headerLength);
    this.headerLength += bytes.length;
    if (this.frame) this.frame.header = this.headerScratch.slice(0, this.headerLength);
  }

  private fieldStep(
    field: FrameFieldName,
    offset: number,
    byteLength: number,
    bitOffset: number,
    bitWidth: number,
    value: boolean | number | string,
    variant: string,
    bits?: string,
  ): void {
    this.out.steps.push({
      kind: "field",
      state: this.stateValue,
      frameIndex: this.frameCount,
      offset,
      byteLength,
      bitOffset,
      bitWidth,
      bits,
      value,
      field,
      explanationKey: `${field}.${variant}`,
      rfcSection: frameFieldsByName[field].rfcSection,
    });
  }

  /** Records the error that stops the parser. */
  private fail(code: ProtocolErrorCode, field: string, offset: number, detail?: string): false {
    const error = makeProtocolError(code, { offset, field, frameIndex: this.frameCount }, detail);
    this.failure = error;
    this.out.error = error;
    if (this.traceEnabled) {
      this.out.steps.push({
        kind: "error",
        state: this.stateValue,
        frameIndex: this.frameCount,
        offset,
        field,
        code,
        closeCode: error.closeCode,
        explanationKey: `error.${code}`,
      });
    }
    return false;
  }

  // GET_INFO: the first two bytes (§5.2): FIN, RSV1–3, opcode, MASK, 7-bit length.
  private getInfo(): boolean {
    if (!this.need(2)) return false;
    const start = this.position;
    const bytes = this.consume(2);
    const b0 = bytes[0];
    const b1 = bytes[1];
    const trace = this.traceEnabled;

    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const rsv2 = (b0 & 0x20) !== 0;
    const rsv3 = (b0 & 0x10) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const length7 = b1 & 0x7f;

    this.headerLength = 0;
    this.frame = {
      index: this.frameCount,
      offset: start,
      header: EMPTY,
      fin,
      rsv1,
      rsv2,
      rsv3,
      opcode,
      opcodeName: opcodeNames[opcode],
      masked,
      payloadLength7: length7,
    };
    this.addHeaderBytes(bytes);
    this.fin = fin;
    this.rsv1 = rsv1;
    this.opcode = opcode;
    this.masked = masked;
    this.maskingKey = null;

    if (trace) this.fieldStep("fin", start, 1, 0, 1, fin, fin ? "final" : "more", fin ? "1" : "0");
    if (rsv1 && !this.permessageDeflate) {
      if (trace) this.fieldStep("rsv1", start, 1, 1, 1, true, "unexpected", "1");
      return this.fail("WS_ERR_UNEXPECTED_RSV_1", "rsv1", start);
    }
    if (trace)
      this.fieldStep("rsv1", start, 1, 1, 1, rsv1, rsv1 ? "compressed" : "clear", rsv1 ? "1" : "0");
    if (trace)
      this.fieldStep("rsv2", start, 1, 2, 1, rsv2, rsv2 ? "unexpected" : "clear", rsv2 ? "1" : "0");
    if (rsv2) return this.fail("WS_ERR_UNEXPECTED_RSV_2", "rsv2", start);
    if (trace)
      this.fieldStep("rsv3", start, 1, 3, 1, rsv3, rsv3 ? "unexpected" : "clear", rsv3 ? "1" : "0");
    if (rsv3) return this.fail("WS_ERR_UNEXPECTED_RSV_3", "rsv3", start);

    if (trace)
      this.fieldStep("opcode", start, 1, 4, 4, opcode, opcodeNames[opcode], toBits(opcode, 4));
    if (!isKnownOpcode(opcode))
      return this.fail("WS_ERR_INVALID_OPCODE", "opcode", start, `opcode ${opcode}`);
    if (isControlOpcode(opcode)) {
      // §5.5: control frames must not be fragmented; RFC 7692 §6.1: RSV1 only on data messages.
      if (!fin) return this.fail("WS_ERR_EXPECTED_FIN", "fin", start);
      if (rsv1) return this.fail("WS_ERR_UNEXPECTED_RSV_1", "rsv1", start, "control frame");
    } else if (opcode === 0) {
      // §5.4: a continuation frame only continues a message in progress.
      if (this.messageOpcode === 0)
        return this.fail("WS_ERR_INVALID_CONTINUATION_FRAME", "opcode", start);
      // RFC 7692 §6.1: RSV1 is set on the first frame of a message only.
      if (rsv1) return this.fail("WS_ERR_UNEXPECTED_RSV_1", "rsv1", start, "continuation frame");
    } else if (this.messageOpcode !== 0) {
      // §5.4: fragments of one message must not be interleaved with another data message.
      return this.fail("WS_ERR_UNEXPECTED_DATA_FRAME", "opcode", start);
    }

    const maskOffset = start + 1;
    if (trace)
      this.fieldStep(
        "mask",
        maskOffset,
        1,
        8,
        1,
        masked,
        masked ? "masked" : "unmasked",
        masked ? "1" : "0",
      );
    // §5.1: a server must close on an unmasked client frame, a client on a masked server frame.
    if (this.role === "server" && !masked)
      return this.fail("WS_ERR_EXPECTED_MASK", "mask", maskOffset);
    if (this.role === "client" && masked)
      return this.fail("WS_ERR_UNEXPECTED_MASK", "mask", maskOffset);

    const variant = length7 === 126 ? "extended16" : length7 === 127 ? "extended64" : "direct";
    if (trace)
      this.fieldStep("payloadLength", maskOffset, 1, 9, 7, length7, variant, toBits(length7, 7));
    if (length7 === 126) {
      if (isControlOpcode(opcode))
        return this.fail("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", "payloadLength", maskOffset);
      this.stateValue = "GET_PAYLOAD_LENGTH_16";
      return true;
    }
    if (length7 === 127) {
      if (isControlOpcode(opcode))
        return this.fail("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", "payloadLength", maskOffset);
      this.stateValue = "GET_PAYLOAD_LENGTH_64";
      return true;
    }
    return this.haveLength(length7, "payloadLength", maskOffset);
  }

  private getPayloadLength16(): boolean {
    if (!this.need(2)) return false;
    const start = this.position;
    const bytes = this.consume(2);
    this.addHeaderBytes(bytes);
    const length = (bytes[0] << 8) | bytes[1];
    if (this.traceEnabled) {
      this.fieldStep(
        "extendedPayloadLength16",
        start,
        2,
        16,
        16,
        length,
        "value",
        toBits(length, 16),
      );
    }
    // §5.2: "the minimal number of bytes MUST be used to encode the length".
    if (length < 126)
      return this.fail(
        "WS_ERR_NON_MINIMAL_LENGTH",
        "extendedPayloadLength16",
        start,
        `${length} in 16 bits`,
      );
    return this.haveLength(length, "extendedPayloadLength16", start);
  }

  private getPayloadLength64(): boolean {
    if (!this.need(8)) return false;
    const start = this.position;
    const bytes = this.consume(8);
    this.addHeaderBytes(bytes);
    const high = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    const low = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
    const length = high * 2 ** 32 + low;
    if (this.traceEnabled) {
      const bits = toBits(high, 32) + toBits(low, 32);
      this.fieldStep("extendedPayloadLength64", start, 8, 16, 64, length, "value", bits);
    }
    // §5.2: "the most significant bit MUST be 0".
    if (high & 0x80000000)
      return this.fail("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH", "extendedPayloadLength64", start);
    if (length < 65536)
      return this.fail(
        "WS_ERR_NON_MINIMAL_LENGTH",
        "extendedPayloadLength64",
        start,
        `${length} in 64 bits`,
      );
    // Lengths beyond 2^53 - 1 cannot be represented exactly, let alone buffered.
    if (high > 0x1fffff)
      return this.fail("WS_ERR_MESSAGE_TOO_BIG", "extendedPayloadLength64", start);
    return this.haveLength(length, "extendedPayloadLength64", start);
  }

  private haveLength(length: number, field: FrameFieldName, offset: number): boolean {
    this.payloadLength = length;
    if (this.frame) this.frame.payloadLength = length;
    if (!isControlOpcode(this.opcode) && this.messageLength + length > this.maxMessageSize) {
      return this.fail(
        "WS_ERR_MESSAGE_TOO_BIG",
        field,
        offset,
        `limit ${this.maxMessageSize} bytes`,
      );
    }
    this.stateValue = this.masked ? "GET_MASK" : "GET_DATA";
    return true;
  }

  private getMask(): boolean {
    if (!this.need(4)) return false;
    const start = this.position;
    const bytes = this.consume(4);
    const bitOffset = this.headerLength * 8;
    this.addHeaderBytes(bytes);
    const key = bytes.slice();
    this.maskingKey = key;
    if (this.frame) this.frame.maskingKey = key;
    if (this.traceEnabled) this.fieldStep("maskingKey", start, 4, bitOffset, 32, toHex(key), "key");
    this.stateValue = "GET_DATA";
    return true;
  }

  private getData(): boolean {
    const length = this.payloadLength;
    if (!this.need(length)) return false;
    const start = this.position;
    const wirePayload = this.consume(length);
    let payload = wirePayload;
    if (this.maskingKey !== null && length > 0) {
      payload = new Uint8Array(length);
      maskInto(wirePayload, this.maskingKey, payload, 0);
    }
    const frameSoFar = this.frame as PartialFrame;
    const header = this.headerScratch.slice(0, this.headerLength);
    const frame: ParsedFrame = {
      index: this.frameCount,
      offset: frameSoFar.offset,
      byteLength: this.headerLength + length,
      fin: this.fin,
      rsv1: this.rsv1,
      rsv2: false,
      rsv3: false,
      opcode: this.opcode,
      opcodeName: opcodeNames[this.opcode],
      masked: this.masked,
      maskingKey: this.maskingKey,
      payloadLength7: frameSoFar.payloadLength7 as number,
      payloadLength: length,
      header,
      wirePayload,
      payload,
    };
    this.frame = frame;
    const opcode = this.opcode;

    if (this.traceEnabled) {
      const compressed =
        opcode !== 0 && !isControlOpcode(opcode) ? this.rsv1 : this.messageCompressed;
      const variant =
        length === 0
          ? "empty"
          : compressed && !isControlOpcode(opcode)
            ? "compressed"
            : opcodeNames[opcode];
      this.fieldStep("payload", start, length, this.headerLength * 8, length * 8, length, variant);
    }

    if (isControlOpcode(opcode)) {
      const message = this.controlMessage(frame, start);
      if (!message) return false;
      this.completeFrame(frame);
      this.out.messages.push(message);
      if (this.traceEnabled) this.messageStep(message, start + length);
      return true;
    }

    if (opcode !== 0) {
      this.messageOpcode = opcode;
      this.messageCompressed = this.rsv1;
      this.messageParts = [];
      this.messageLength = 0;
      this.messageFrames = [];
      this.messageOffset = frame.offset;
      this.utf8.reset();
    }
    const validateText = this.messageOpcode === 1 && !this.messageCompressed;
    if (validateText && !this.utf8.push(payload))
      return this.fail("WS_ERR_INVALID_UTF8", "payload", start);
    if (validateText && this.fin && !this.utf8.complete) {
      return this.fail("WS_ERR_INVALID_UTF8", "payload", start, "message ends inside a code point");
    }
    this.messageParts.push(payload);
    this.messageLength += length;
    this.messageFrames.push(frame.index);
    this.completeFrame(frame);
    if (this.fin) this.completeDataMessage(start + length);
    return true;
  }

  private completeFrame(frame: ParsedFrame): void {
    this.out.frames.push(frame);
    if (this.traceEnabled) {
      this.out.steps.push({
        kind: "frame",
        state: this.stateValue,
        frameIndex: frame.index,
        offset: frame.offset,
        byteLength: frame.byteLength,
        explanationKey: "frame.complete",
      });
    }
    this.frameCount++;
    this.frame = undefined;
    this.headerLength = 0;
    this.stateValue = "GET_INFO";
  }

  private messageStep(message: ParsedMessage, offset: number): void {
    this.out.steps.push({
      kind: "message",
      state: "GET_INFO",
      frameIndex: message.frameIndices[message.frameIndices.length - 1],
      offset,
      messageIndex: message.index,
      messageType: message.type,
      explanationKey: `message.${message.type}`,
    });
  }

  private completeDataMessage(endOffset: number): void {
    const parts = this.messageParts;
    let data: Uint8Array;
    if (parts.length === 1) {
      data = parts[0];
    } else {
      data = new Uint8Array(this.messageLength);
      let at = 0;
      for (const part of parts) {
        data.set(part, at);
        at += part.length;
      }
    }
    const type: MessageType = this.messageOpcode === 1 ? "text" : "binary";
    const message: ParsedMessage = {
      index: this.messageCount++,
      type,
      data,
      compressed: this.messageCompressed,
      frameIndices: this.messageFrames,
      offset: this.messageOffset,
      endOffset,
    };
    if (type === "text" && !this.messageCompressed && this.decodeText)
      message.text = decodeUtf8(data);
    this.out.messages.push(message);
    if (this.traceEnabled) this.messageStep(message, endOffset);
    this.messageOpcode = 0;
    this.messageCompressed = false;
    this.messageParts = [];
    this.messageLength = 0;
    this.messageFrames = [];
  }

  /** Builds the message for a close/ping/pong frame; validates close bodies (§5.5.1, §7.4). */
  private controlMessage(frame: ParsedFrame, payloadOffset: number): ParsedMessage | undefined {
    const data = frame.payload;
    const type = frame.opcodeName as MessageType;
    const message: ParsedMessage = {
      index: this.messageCount,
      type,
      data,
      compressed: false,
      frameIndices: [frame.index],
      offset: frame.offset,
      endOffset: frame.offset + frame.byteLength,
    };
    if (type === "close" && data.length > 0) {
      if (data.length === 1) {
        this.fail("WS_ERR_INVALID_CLOSE_PAYLOAD", "payload", payloadOffset, "1-byte close body");
        return undefined;
      }
      const code = (data[0] << 8) | data[1];
      if (!isValidReceivedCloseCode(code)) {
        this.fail("WS_ERR_INVALID_CLOSE_CODE", "payload", payloadOffset, `code ${code}`);
        return undefined;
      }
      const reason = data.subarray(2);
      if (!isValidUtf8(reason)) {
        this.fail("WS_ERR_INVALID_CLOSE_REASON", "payload", payloadOffset + 2);
        return undefined;
      }
      message.closeCode = code;
      if (this.decodeText) message.text = decodeUtf8(reason);
    }
    this.messageCount++;
    return message;
  }
}

/** Everything parsed from a complete byte stream. */
export interface ParsedStream extends FrameParserOutput {
  /** The frame the stream ended in (incomplete) or broke in (error). */
  partialFrame?: PartialFrame;
  /** Bytes at the end that did not make a complete frame. */
  remainingBytes: number;
}

/** Parses a whole captured stream (one chunk or the chunks as they arrived). */
export function parseFrames(
  input: Uint8Array | readonly Uint8Array[],
  options: FrameParserOptions,
): ParsedStream {
  const parser = new FrameParser(options);
  const result: ParsedStream = { frames: [], messages: [], steps: [], remainingBytes: 0 };
  const chunks = input instanceof Uint8Array ? [input] : input;
  for (const chunk of chunks) {
    const out = parser.push(chunk);
    for (const frame of out.frames) result.frames.push(frame);
    for (const message of out.messages) result.messages.push(message);
    for (const step of out.steps) result.steps.push(step);
    if (out.error) {
      result.error = out.error;
      break;
    }
  }
  result.partialFrame = parser.partialFrame;
  result.remainingBytes = parser.bufferedBytes;
  return result;
}

export interface ParsedSingleFrame {
  frame?: ParsedFrame;
  /** The steps of the first frame only. */
  steps: TraceStep[];
  error?: ProtocolError;
  partialFrame?: PartialFrame;
  /** Bytes after the first frame. */
  rest: Uint8Array;
}

/**
 * Parses the first frame of `bytes` as the start of a fresh connection
 * (so a lone continuation frame is an error) — handy for the "decode this
 * hex" box. Use `FrameParser` for streams.
 */
export function parseFrame(bytes: Uint8Array, options: FrameParserOptions): ParsedSingleFrame {
  const parsed = parseFrames(bytes, options);
  const frame = parsed.frames[0];
  const steps = parsed.steps.filter((step) => step.frameIndex === 0 && step.kind !== "message");
  if (frame) return { frame, steps, rest: bytes.subarray(frame.byteLength) };
  return { steps, error: parsed.error, partialFrame: parsed.partialFrame, rest: EMPTY };
}
