/**
 * The WireLab capture format (DESIGN.md, "Capture"): the entries the sandbox
 * server's tap streams, and the versioned JSON file that holds them
 * (`public/captures/*.json`, and what the visualizer imports and exports).
 *
 *   {"format":"wirelab-capture","version":1,"title","description","entries":[…]}
 */

export const CAPTURE_FORMAT = "wirelab-capture";
export const CAPTURE_VERSION = 1;

/** Which peer sent the bytes. */
export type Direction = "client" | "server";

export interface HandshakeEntry {
  kind: "handshake";
  /** Which TCP connection of the capture (a Socket.IO session may use several). Default 0. */
  connection?: number;
  /** Raw HTTP request head (CRLF line ends, ends with an empty line). */
  request: string;
  /** Raw HTTP response head. */
  response: string;
  time?: number;
}

export interface DataEntry {
  kind: "data";
  connection?: number;
  direction: Direction;
  /** Epoch milliseconds. */
  time?: number;
  /** Base64 of the bytes, exactly one TCP chunk as it crossed the socket. */
  bytes: string;
}

/** One Socket.IO long-polling request or response body. */
export interface HttpEntry {
  kind: "http";
  connection?: number;
  /** Pairs a request with its response. */
  exchange?: number;
  /** Absent in older recordings: a request has a method, a response a status. */
  direction?: Direction;
  method?: string;
  url?: string;
  status?: number;
  contentType?: string;
  /** Body text, or base64 of the body bytes when `bodyEncoding` is "base64". */
  body: string;
  bodyEncoding?: "base64";
  time?: number;
}

export interface EndEntry {
  kind: "end";
  time?: number;
  /** The TCP connection that closed (absent when an Engine.IO polling session ended). */
  connection?: number;
  sid?: string;
  reason?: string;
  /** Bytes not recorded because the capture was truncated. */
  droppedBytes?: number;
}

/** The recorder hit its bound: bytes after this point were not kept. */
export interface TruncatedEntry {
  kind: "truncated";
  time?: number;
  /** The recorder's byte limit per capture. */
  limitBytes?: number;
  reason?: string;
}

export type CaptureEntry = HandshakeEntry | DataEntry | HttpEntry | EndEntry | TruncatedEntry;

export interface CaptureFile {
  format: typeof CAPTURE_FORMAT;
  version: typeof CAPTURE_VERSION;
  title: string;
  description?: string;
  entries: CaptureEntry[];
}

/** One row of `public/captures/index.json`. */
export interface CaptureIndexEntry {
  id: string;
  title: string;
  description?: string;
}

export type CaptureReadResult = { ok: true; capture: CaptureFile } | { ok: false; error: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks one entry; returns a message saying what is wrong, or undefined. */
export function entryProblem(entry: unknown): string | undefined {
  if (!isObject(entry)) return "is not an object";
  if ("time" in entry && entry.time !== undefined && typeof entry.time !== "number")
    return "has a non-numeric time";
  switch (entry.kind) {
    case "handshake":
      return typeof entry.request === "string" && typeof entry.response === "string"
        ? undefined
        : "needs request and response strings";
    case "data":
      if (entry.direction !== "client" && entry.direction !== "server")
        return 'needs direction "client" or "server"';
      return typeof entry.bytes === "string" && BASE64.test(entry.bytes)
        ? undefined
        : "needs base64 bytes";
    case "http":
      return typeof entry.body === "string" ? undefined : "needs a body string";
    case "end":
    case "truncated":
      return undefined;
    default:
      return `has an unknown kind ${JSON.stringify(entry.kind)}`;
  }
}

/**
 * Reads a capture file (already JSON-parsed or as text). Errors say how to
 * fix the file; unknown entry kinds are an error so nothing is silently lost.
 */
export function readCaptureFile(input: unknown): CaptureReadResult {
  let data = input;
  if (typeof input === "string") {
    try {
      data = JSON.parse(input);
    } catch {
      return { ok: false, error: "The file is not JSON." };
    }
  }
  if (!isObject(data) || data.format !== CAPTURE_FORMAT)
    return { ok: false, error: `Not a WireLab capture: "format" must be "${CAPTURE_FORMAT}".` };
  if (data.version !== CAPTURE_VERSION)
    return {
      ok: false,
      error: `Capture version ${JSON.stringify(data.version)} is not supported (this visualizer reads version ${CAPTURE_VERSION}).`,
    };
  if (!Array.isArray(data.entries)) return { ok: false, error: '"entries" must be an array.' };
  for (let i = 0; i < data.entries.length; i++) {
    const problem = entryProblem(data.entries[i]);
    if (problem) return { ok: false, error: `Entry ${i} ${problem}.` };
  }
  return {
    ok: true,
    capture: {
      format: CAPTURE_FORMAT,
      version: CAPTURE_VERSION,
      title: typeof data.title === "string" ? data.title : "Untitled capture",
      description: typeof data.description === "string" ? data.description : undefined,
      entries: data.entries as CaptureEntry[],
    },
  };
}

/** The JSON text of a capture file, for export. */
export function formatCaptureFile(capture: Omit<CaptureFile, "format" | "version">): string {
  const file: CaptureFile = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    title: capture.title,
    ...(capture.description ? { description: capture.description } : {}),
    entries: capture.entries,
  };
  return JSON.stringify(file, null, 1);
}

/** Capture ids as the server accepts them (DESIGN.md): 8–64 of [A-Za-z0-9_-]. */
export const CAPTURE_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Shipped capture names (`public/captures/<name>.json`). */
export const CAPTURE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
