/**
 * A captured connection as the visualizer sees it: the handshake, then the
 * frames of both directions in the order they crossed the wire, plus the
 * Socket.IO polling exchanges. Built incrementally (live mode appends entries
 * as the tap streams them) on the one frame parser of `src/protocol/`.
 *
 * The timeline is parsed with the trace off (fast enough for 100,000 frames);
 * the step trace of one frame is produced on demand by `frameTrace()`, which
 * runs the same parser again from the last point where a fresh parser is in
 * the same state (the start of the frame's message), with the original TCP
 * chunk boundaries, so "need N more bytes" steps are the real ones.
 */
import {
  acceptKeySync,
  base64Decode,
  FrameParser,
  getHeader,
  isControlOpcode,
  parseHttpHead,
  SocketIoWireDecoder,
  type AcceptKeySteps,
  type HttpRequestHead,
  type HttpResponseHead,
  type ParsedFrame,
  type ParsedMessage,
  type PartialFrame,
  type ProtocolError,
  type SocketIoWireEntry,
  type TraceStep,
} from "../../protocol/index.ts";
import type { CaptureEntry, Direction, HttpEntry } from "./capture-format.ts";

export interface HandshakeInfo {
  rawRequest: string;
  rawResponse: string;
  request?: HttpRequestHead;
  response?: HttpResponseHead;
  /** Sec-WebSocket-Key sent by the client. */
  key?: string;
  /** Sec-WebSocket-Accept the server answered. */
  acceptSent?: string;
  /** key + GUID → SHA-1 → base64, computed here. */
  accept?: AcceptKeySteps;
  /** The server's answer equals the computed value. */
  acceptMatches?: boolean;
  extensions?: string;
  protocol?: string;
  permessageDeflate: boolean;
  /** The request went to an Engine.IO endpoint (`EIO=` in the query). */
  socketIo: boolean;
}

/** Where a fresh parser can start and be in the same state as the real one. */
export interface Checkpoint {
  offset: number;
  frameIndex: number;
}

export interface MessageRecord {
  connection: number;
  direction: Direction;
  message: ParsedMessage;
  /** Frames (by direction frame index) sent between the first and last fragment: control frames. */
  interleaved: number[];
  /** Engine.IO / Socket.IO meaning, for Socket.IO sessions (uncompressed messages). */
  socketIo?: SocketIoWireEntry;
}

export interface HandshakeItem {
  kind: "handshake";
  connection: number;
  time?: number;
  handshake: HandshakeInfo;
}

export interface FrameItem {
  kind: "frame";
  connection: number;
  direction: Direction;
  time?: number;
  frame: ParsedFrame;
  checkpoint: Checkpoint;
  /** How many TCP chunks the frame's bytes arrived in. */
  chunkCount: number;
  /** The message this frame completed or belongs to, once it is complete. */
  message?: MessageRecord;
  /** Control frame sent while a fragmented message of the same direction was open. */
  interleaved: boolean;
}

export interface ErrorItem {
  kind: "error";
  connection: number;
  direction: Direction;
  time?: number;
  error: ProtocolError;
  frame?: PartialFrame;
  checkpoint: Checkpoint;
}

export interface HttpItem {
  kind: "http";
  connection: number;
  direction: Direction;
  time?: number;
  entry: HttpEntry;
  /** The body as text (decoded from base64 when the recorder stored it so). */
  body: string;
  /** Engine.IO packets of the body (empty for bodies such as "ok"). */
  packets: SocketIoWireEntry[];
}

export interface EndItem {
  kind: "end" | "truncated";
  time?: number;
  reason?: string;
}

/** A frame that has started but whose bytes have not all arrived (yet). */
export interface PendingItem {
  kind: "pending";
  connection: number;
  direction: Direction;
  time?: number;
  frame?: PartialFrame;
  frameIndex: number;
  offset: number;
  checkpoint: Checkpoint;
  bufferedBytes: number;
}

export type TimelineItem = HandshakeItem | FrameItem | ErrorItem | HttpItem | EndItem | PendingItem;

interface StoredChunk {
  offset: number;
  bytes: Uint8Array;
}

/** One direction of the connection: its bytes, its parser, its frames. */
class DirectionStream {
  readonly chunks: StoredChunk[] = [];
  length = 0;
  parser: FrameParser | undefined;
  /** Timeline item index of every frame, by frame index. */
  readonly frameItems: number[] = [];
  /** The data message in progress: its first frame, and control frames seen inside it. */
  openMessage: Checkpoint | undefined;
  openInterleaved: number[] = [];
  failed = false;
  lastTime: number | undefined;
  readonly direction: Direction;
  readonly connection: number;
  constructor(connection: number, direction: Direction) {
    this.connection = connection;
    this.direction = direction;
  }
}

const utf8Decoder = new TextDecoder();

export class Session {
  readonly items: TimelineItem[] = [];
  /** The latest handshake (captures usually hold one WebSocket connection). */
  handshake: HandshakeInfo | undefined;
  readonly messages: MessageRecord[] = [];
  ended = false;
  truncated = false;
  /** Capture entries pushed so far. */
  entriesSeen = 0;
  /** Complete frames in the timeline. */
  frameCount = 0;
  private readonly handshakes = new Map<number, HandshakeInfo>();
  private socketIoSeen = false;
  /** Streams by "connection:direction". */
  private readonly streams = new Map<string, DirectionStream>();
  private readonly socketIoDecoders = {
    client: new SocketIoWireDecoder(),
    server: new SocketIoWireDecoder(),
  };

  /** Builds a session from every entry of a capture. */
  static from(entries: readonly CaptureEntry[]): Session {
    const session = new Session();
    for (const entry of entries) session.push(entry);
    return session;
  }

  private stream(connection: number, direction: Direction): DirectionStream {
    const key = `${connection}:${direction}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new DirectionStream(connection, direction);
      this.streams.set(key, stream);
    }
    return stream;
  }

  /** Parser options of a stream: the frames a client sends are read by a server. */
  private newParser(stream: DirectionStream, trace: boolean): FrameParser {
    return new FrameParser({
      role: stream.direction === "client" ? "server" : "client",
      extensions: {
        permessageDeflate: this.handshakes.get(stream.connection)?.permessageDeflate ?? false,
      },
      trace,
      // Text is decoded when shown, not for every message of a large capture.
      decodeText: false,
    });
  }

  /** The handshake of a connection. */
  handshakeOf(connection: number): HandshakeInfo | undefined {
    return this.handshakes.get(connection);
  }

  /** Engine.IO is in play: a handshake to an `EIO=` endpoint or a polling exchange was seen. */
  get isSocketIo(): boolean {
    return this.socketIoSeen;
  }

  /** Adds one capture entry; returns the number of timeline items added. */
  push(entry: CaptureEntry): number {
    const before = this.items.length;
    this.entriesSeen++;
    const connection = "connection" in entry ? (entry.connection ?? 0) : 0;
    switch (entry.kind) {
      case "handshake": {
        const handshake = readHandshake(entry.request, entry.response);
        this.handshake = handshake;
        this.handshakes.set(connection, handshake);
        if (handshake.socketIo) this.socketIoSeen = true;
        this.items.push({ kind: "handshake", connection, time: entry.time, handshake });
        break;
      }
      case "data":
        this.pushData(
          this.stream(connection, entry.direction),
          base64Decode(entry.bytes),
          entry.time,
        );
        break;
      case "http":
        this.pushHttp(entry, connection);
        break;
      case "end":
      case "truncated":
        if (entry.kind === "end") this.ended = true;
        else this.truncated = true;
        this.items.push({
          kind: entry.kind,
          time: entry.time,
          reason:
            entry.reason ??
            (entry.kind === "truncated" && entry.limitBytes
              ? `limit of ${entry.limitBytes} bytes per capture`
              : undefined),
        });
        break;
    }
    return this.items.length - before;
  }

  private pushHttp(entry: HttpEntry, connection: number): void {
    this.socketIoSeen = true;
    const direction: Direction =
      entry.direction ?? (entry.status === undefined ? "client" : "server");
    let body = entry.body;
    if (entry.bodyEncoding === "base64") {
      try {
        body = utf8Decoder.decode(base64Decode(body));
      } catch {
        body = "";
      }
    }
    const packets =
      body === "" || body === "ok" ? [] : this.socketIoDecoders[direction].decodePollingBody(body);
    this.items.push({
      kind: "http",
      connection,
      direction,
      time: entry.time,
      entry,
      body,
      packets,
    });
  }

  private pushData(stream: DirectionStream, bytes: Uint8Array, time: number | undefined): void {
    const { direction, connection } = stream;
    stream.chunks.push({ offset: stream.length, bytes });
    stream.length += bytes.length;
    stream.lastTime = time;
    if (stream.failed) return;
    stream.parser ??= this.newParser(stream, false);
    const out = stream.parser.push(bytes);
    for (const frame of out.frames) {
      const control = isControlOpcode(frame.opcode);
      let checkpoint: Checkpoint = { offset: frame.offset, frameIndex: frame.index };
      if (!control && frame.opcode !== 0) stream.openMessage = checkpoint;
      else if (frame.opcode === 0 && stream.openMessage) checkpoint = stream.openMessage;
      const interleaved = control && stream.openMessage !== undefined;
      if (interleaved) stream.openInterleaved.push(frame.index);
      const item: FrameItem = {
        kind: "frame",
        connection,
        direction,
        time,
        frame,
        checkpoint,
        chunkCount: this.chunksSpanned(stream, frame.offset, frame.offset + frame.byteLength),
        interleaved,
      };
      stream.frameItems[frame.index] = this.items.length;
      this.items.push(item);
      this.frameCount++;
      if (!control && frame.fin) stream.openMessage = undefined;
    }
    for (const message of out.messages) this.completeMessage(stream, message);
    if (out.error) {
      stream.failed = true;
      const partial = stream.parser.partialFrame;
      const offset = partial?.offset ?? out.error.offset;
      this.items.push({
        kind: "error",
        connection,
        direction,
        time,
        error: out.error,
        frame: partial,
        checkpoint: stream.openMessage ?? { offset, frameIndex: out.error.frameIndex },
      });
    }
  }

  private completeMessage(stream: DirectionStream, message: ParsedMessage): void {
    const control = message.type === "close" || message.type === "ping" || message.type === "pong";
    const record: MessageRecord = {
      direction: stream.direction,
      connection: stream.connection,
      message,
      interleaved: control ? [] : stream.openInterleaved,
    };
    if (!control) stream.openInterleaved = [];
    if (!control && this.isSocketIo && !message.compressed) {
      const data =
        message.type === "text" ? (message.text ?? utf8Decoder.decode(message.data)) : message.data;
      record.socketIo = this.socketIoDecoders[stream.direction].decodeWebSocketMessage(data);
    }
    this.messages.push(record);
    for (const index of message.frameIndices) {
      const item = this.items[stream.frameItems[index]];
      if (item?.kind === "frame") item.message = record;
    }
  }

  /** Number of stored chunks that hold bytes of [start, end). */
  private chunksSpanned(stream: DirectionStream, start: number, end: number): number {
    let count = 0;
    for (let i = chunkIndexAt(stream.chunks, start); i < stream.chunks.length; i++) {
      const chunk = stream.chunks[i];
      if (chunk.offset >= end) break;
      if (chunk.offset + chunk.bytes.length > start) count++;
    }
    return Math.max(count, 1);
  }

  /** Frames started but not finished (at most one per stream). */
  pending(): PendingItem[] {
    const pending: PendingItem[] = [];
    for (const stream of this.streams.values()) {
      const parser = stream.parser;
      if (!parser || stream.failed || (parser.bufferedBytes === 0 && !parser.partialFrame))
        continue;
      const frame = parser.partialFrame;
      const offset = frame?.offset ?? parser.offset;
      const frameIndex = frame?.index ?? stream.frameItems.length;
      pending.push({
        kind: "pending",
        connection: stream.connection,
        direction: stream.direction,
        time: stream.lastTime,
        frame,
        frameIndex,
        offset,
        checkpoint: stream.openMessage ?? { offset, frameIndex },
        bufferedBytes: stream.length - offset,
      });
    }
    return pending;
  }

  /** Every item, then the frames still waiting for bytes. */
  timeline(): TimelineItem[] {
    const pending = this.pending();
    return pending.length === 0 ? this.items : [...this.items, ...pending];
  }

  /** The frame item of a stream by its frame index. */
  frameItem(connection: number, direction: Direction, frameIndex: number): FrameItem | undefined {
    const item = this.items[this.stream(connection, direction).frameItems[frameIndex]];
    return item?.kind === "frame" ? item : undefined;
  }

  /** The bytes [start, end) of a stream, as the TCP chunks that carried them. */
  chunksOf(connection: number, direction: Direction, start: number, end: number): Uint8Array[] {
    const chunks = this.stream(connection, direction).chunks;
    const out: Uint8Array[] = [];
    for (let i = chunkIndexAt(chunks, start); i < chunks.length; i++) {
      const chunk = chunks[i];
      if (chunk.offset >= end) break;
      const from = Math.max(start - chunk.offset, 0);
      const to = Math.min(end - chunk.offset, chunk.bytes.length);
      if (to > from) out.push(chunk.bytes.subarray(from, to));
    }
    return out;
  }

  /** Bytes [start, end) of a stream, joined. */
  bytesOf(connection: number, direction: Direction, start: number, end: number): Uint8Array {
    const parts = this.chunksOf(connection, direction, start, end);
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Total bytes received in a stream. */
  streamLength(connection: number, direction: Direction): number {
    return this.stream(connection, direction).length;
  }

  /**
   * The parser's step trace for one frame (complete, broken or pending),
   * with absolute offsets and the stream's frame indices.
   */
  frameTrace(item: FrameItem | ErrorItem | PendingItem): TraceStep[] {
    const { checkpoint, direction, connection } = item;
    const stream = this.stream(connection, direction);
    const frameIndex =
      item.kind === "frame"
        ? item.frame.index
        : item.kind === "pending"
          ? item.frameIndex
          : item.error.frameIndex;
    const end = item.kind === "frame" ? item.frame.offset + item.frame.byteLength : stream.length;
    const parser = this.newParser(stream, true);
    const target = frameIndex - checkpoint.frameIndex;
    const steps: TraceStep[] = [];
    for (const chunk of this.chunksOf(connection, direction, checkpoint.offset, end)) {
      const out = parser.push(chunk);
      for (const step of out.steps) {
        if (step.frameIndex !== target) continue;
        steps.push({
          ...step,
          frameIndex: step.frameIndex + checkpoint.frameIndex,
          offset: step.offset + checkpoint.offset,
        });
      }
      if (out.error) break;
    }
    return steps;
  }
}

/** Index of the chunk holding byte `offset` (binary search over start offsets). */
function chunkIndexAt(chunks: readonly StoredChunk[], offset: number): number {
  let low = 0;
  let high = chunks.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (chunks[middle].offset <= offset) low = middle;
    else high = middle - 1;
  }
  return Math.max(low, 0);
}

/** Parses the raw handshake and checks the accept value against the key. */
export function readHandshake(rawRequest: string, rawResponse: string): HandshakeInfo {
  const requestResult = parseHttpHead(rawRequest);
  const responseResult = parseHttpHead(rawResponse);
  const request =
    requestResult.ok && requestResult.head.kind === "request" ? requestResult.head : undefined;
  const response =
    responseResult.ok && responseResult.head.kind === "response" ? responseResult.head : undefined;
  const key = request && getHeader(request, "Sec-WebSocket-Key");
  const acceptSent = response && getHeader(response, "Sec-WebSocket-Accept");
  const accept = key ? acceptKeySync(key) : undefined;
  const extensions = response && getHeader(response, "Sec-WebSocket-Extensions");
  return {
    rawRequest,
    rawResponse,
    request,
    response,
    key,
    acceptSent,
    accept,
    acceptMatches: accept && acceptSent !== undefined ? accept.accept === acceptSent : undefined,
    extensions,
    protocol: response && getHeader(response, "Sec-WebSocket-Protocol"),
    permessageDeflate: extensions !== undefined && /(^|,)\s*permessage-deflate\b/i.test(extensions),
    socketIo: request !== undefined && /[?&]EIO=\d/.test(request.target),
  };
}
