/**
 * CaptureStore: the recordings of demo connections opened with
 * `capture=<id>`, bounded in bytes per capture, number of captures (least
 * recently used goes first) and idle age. Appending never blocks and never
 * throws: a full capture records one `truncated` entry and drops the rest.
 *
 * Entries are kept as objects holding copies of the bytes; they become JSON
 * (bytes in base64) only when a tap asks (`serializeEntry`).
 */

export type CaptureDirection = "client" | "server";

/** The raw HTTP text of an opening handshake (request as sent, response as written). */
export interface HandshakeEntry {
  kind: "handshake";
  time: number;
  connection: number;
  request: string;
  response: string;
}

/** A chunk exactly as it crossed the TCP socket. */
export interface DataEntry {
  kind: "data";
  direction: CaptureDirection;
  time: number;
  connection: number;
  bytes: Uint8Array;
}

/** One HTTP request body (direction client) or response body (direction server) of Engine.IO polling. */
export interface HttpEntry {
  kind: "http";
  direction: CaptureDirection;
  time: number;
  connection: number;
  /** Pairs a request with its response. */
  exchange: number;
  method: string;
  url: string;
  /** Responses only. */
  status?: number;
  contentType?: string;
  contentEncoding?: string;
  body: Uint8Array;
}

/** Recorded once, when the byte limit was reached; nothing but `end` entries follows. */
export interface TruncatedEntry {
  kind: "truncated";
  time: number;
  limitBytes: number;
}

/** A recorded connection (or an Engine.IO session) ended. */
export interface EndEntry {
  kind: "end";
  time: number;
  /** The TCP connection that closed (absent when an Engine.IO polling session ended). */
  connection?: number;
  /** Engine.IO session id, for Socket.IO captures. */
  sid?: string;
  reason: string;
  /** Bytes not recorded because the capture was truncated. */
  droppedBytes?: number;
}

export type CaptureEntry = HandshakeEntry | DataEntry | HttpEntry | TruncatedEntry | EndEntry;

/** An entry as JSON (what `/ws/tap` sends and capture files hold). */
export type CaptureEntryJson =
  | HandshakeEntry
  | (Omit<DataEntry, "bytes"> & { bytes: string })
  | (Omit<HttpEntry, "body"> & { body: string; bodyEncoding?: "base64" })
  | TruncatedEntry
  | EndEntry;

/** Recorded chunks are copied into slabs of this size (fewer allocations than one per chunk). */
const SLAB_SIZE = 64 * 1024;

/** What an entry costs besides its bytes (keeps many tiny chunks bounded too). */
const ENTRY_OVERHEAD = 64;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** base64 of bytes without copying them first. */
function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64");
}

function bodyText(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

export function entryToJson(entry: CaptureEntry): CaptureEntryJson {
  switch (entry.kind) {
    case "data":
      return { ...entry, bytes: base64(entry.bytes) };
    case "http": {
      const text = entry.contentEncoding ? undefined : bodyText(entry.body);
      if (text !== undefined) return { ...entry, body: text };
      return { ...entry, body: base64(entry.body), bodyEncoding: "base64" };
    }
    default:
      return entry;
  }
}

/** One JSON text per entry, as `/ws/tap` sends it. */
export function serializeEntry(entry: CaptureEntry): string {
  // The hot case (a tap following a busy connection) is built by hand: same JSON, no spread.
  if (entry.kind === "data")
    return `{"kind":"data","direction":"${entry.direction}","time":${entry.time},"connection":${entry.connection},"bytes":"${base64(entry.bytes)}"}`;
  return JSON.stringify(entryToJson(entry));
}

function entrySize(entry: CaptureEntry): number {
  switch (entry.kind) {
    case "data":
      return ENTRY_OVERHEAD + entry.bytes.length;
    case "http":
      return ENTRY_OVERHEAD + entry.url.length + entry.body.length;
    case "handshake":
      return ENTRY_OVERHEAD + entry.request.length + entry.response.length;
    default:
      return ENTRY_OVERHEAD;
  }
}

export type CaptureListener = (entry: CaptureEntry) => void;

export interface CaptureLimits {
  /** Bytes kept per capture (entries' bytes plus a small overhead each). Default 512 KiB. */
  maxBytesPerCapture: number;
  /** Captures kept; the least recently used is dropped first. Default 64. */
  maxCaptures: number;
  /** A capture with no new entry for this long (and no tap) is dropped. Default 30 min. */
  maxIdleMs: number;
  /** Taps following one capture at once. Default 4. */
  maxTapsPerCapture: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = {
  maxBytesPerCapture: 512 * 1024,
  maxCaptures: 64,
  maxIdleMs: 30 * 60 * 1000,
  maxTapsPerCapture: 4,
};

/** `capture=<id>`: 8–64 of `[A-Za-z0-9_-]`. */
export const CAPTURE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function isValidCaptureId(id: string): boolean {
  return CAPTURE_ID_PATTERN.test(id);
}

/** One recording. Connections and exchanges are numbered from 1 within it. */
export class Capture {
  readonly id: string;
  readonly entries: CaptureEntry[] = [];
  /** Bytes counted against the limit. */
  bytes = 0;
  truncated = false;
  droppedBytes = 0;
  lastActivity: number;
  private readonly limits: CaptureLimits;
  private readonly now: () => number;
  private readonly listeners = new Set<CaptureListener>();
  private connections = 0;
  private exchanges = 0;
  private slab = new Uint8Array(0);
  private slabUsed = 0;

  constructor(id: string, limits: CaptureLimits, now: () => number) {
    this.id = id;
    this.limits = limits;
    this.now = now;
    this.lastActivity = now();
  }

  get tapCount(): number {
    return this.listeners.size;
  }

  nextConnection(): number {
    return ++this.connections;
  }

  nextExchange(): number {
    return ++this.exchanges;
  }

  time(): number {
    return this.now();
  }

  /**
   * A copy of `parts` (joined) in the capture's arena: one memcpy into a
   * shared slab instead of a fresh allocation per chunk. Undefined when the
   * capture is full (the bytes are counted as dropped by `addData`).
   */
  copy(parts: Uint8Array | readonly Uint8Array[]): Uint8Array | undefined {
    const list = parts instanceof Uint8Array ? [parts] : parts;
    let length = 0;
    for (const part of list) length += part.length;
    if (this.truncated || this.bytes + ENTRY_OVERHEAD + length > this.limits.maxBytesPerCapture)
      return undefined;
    if (this.slab.length - this.slabUsed < length) {
      // Not zero-filled (every byte handed out is written first); a plain Uint8Array view,
      // because subarray() of a Buffer goes through Buffer's slower species constructor.
      const memory = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, length));
      this.slab = new Uint8Array(memory.buffer, memory.byteOffset, memory.length);
      this.slabUsed = 0;
    }
    const start = this.slabUsed;
    for (const part of list) {
      this.slab.set(part, this.slabUsed);
      this.slabUsed += part.length;
    }
    return this.slab.subarray(start, this.slabUsed);
  }

  /** Records a TCP chunk (copied here, or dropped when the capture is full). */
  addData(
    direction: CaptureDirection,
    connection: number,
    parts: Uint8Array | readonly Uint8Array[],
    time = this.now(),
  ): void {
    const bytes = this.copy(parts);
    if (bytes?.length === 0) return;
    if (bytes) {
      this.add({ kind: "data", direction, time, connection, bytes });
      return;
    }
    let length = 0;
    for (const part of parts instanceof Uint8Array ? [parts] : parts) length += part.length;
    this.add({ kind: "data", direction, time, connection, bytes: new Uint8Array(0) }, length);
  }

  /** Records an entry, or counts it as dropped once the capture is full. Never throws. */
  add(entry: CaptureEntry, extraDroppedBytes = 0): void {
    if (entry.kind === "end") {
      if (this.droppedBytes > 0) entry.droppedBytes = this.droppedBytes;
      this.push(entry);
      return;
    }
    const size = entrySize(entry) + extraDroppedBytes;
    if (this.truncated || this.bytes + size > this.limits.maxBytesPerCapture) {
      this.droppedBytes += size - ENTRY_OVERHEAD;
      if (!this.truncated) {
        this.truncated = true;
        this.push({
          kind: "truncated",
          time: this.now(),
          limitBytes: this.limits.maxBytesPerCapture,
        });
      }
      return;
    }
    this.bytes += size;
    this.push(entry);
  }

  private push(entry: CaptureEntry): void {
    this.entries.push(entry);
    this.lastActivity = entry.time;
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        // A broken tap must never break the recorded connection.
        this.listeners.delete(listener);
      }
    }
  }

  /** Follows new entries; returns the unsubscribe function. */
  subscribe(listener: CaptureListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface CaptureStoreOptions {
  limits?: Partial<CaptureLimits>;
  /** Clock (epoch ms); injectable for tests. */
  now?: () => number;
  /** Called when a capture is dropped (LRU or age), e.g. to close its taps. */
  onDrop?: (capture: Capture, reason: "evicted" | "expired") => void;
}

export class CaptureStore {
  readonly limits: CaptureLimits;
  private readonly now: () => number;
  private readonly onDrop: CaptureStoreOptions["onDrop"];
  /** Insertion order is recency order: `touch` moves a capture to the end. */
  private readonly captures = new Map<string, Capture>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(options: CaptureStoreOptions = {}) {
    this.limits = { ...DEFAULT_CAPTURE_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.onDrop = options.onDrop;
  }

  get size(): number {
    return this.captures.size;
  }

  get(id: string): Capture | undefined {
    return this.captures.get(id);
  }

  /** The capture with this id, created if needed, marked most recently used. */
  open(id: string): Capture {
    let capture = this.captures.get(id);
    if (capture) {
      this.captures.delete(id);
    } else {
      capture = new Capture(id, this.limits, this.now);
    }
    this.captures.set(id, capture);
    while (this.captures.size > this.limits.maxCaptures) {
      const [oldestId, oldest] = this.captures.entries().next().value as [string, Capture];
      this.captures.delete(oldestId);
      this.onDrop?.(oldest, "evicted");
    }
    return capture;
  }

  /** Drops captures idle for longer than `maxIdleMs` that no tap follows. */
  sweep(): void {
    const cutoff = this.now() - this.limits.maxIdleMs;
    for (const [id, capture] of this.captures) {
      if (capture.lastActivity < cutoff && capture.tapCount === 0) {
        this.captures.delete(id);
        this.onDrop?.(capture, "expired");
      }
    }
  }

  /** Sweeps periodically (the timer does not keep the process alive). */
  startSweeping(intervalMs = 60_000): void {
    this.sweeper ??= setInterval(() => this.sweep(), intervalMs);
    this.sweeper.unref();
  }

  stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
