/**
 * The capture hook: sees every HTTP request and upgrade before any listener
 * (Socket.IO's engine replaces the server's request listeners, so listener
 * order cannot be relied on), and records the ones opened with
 * `capture=<id>`.
 *
 * - Upgrades (`/ws/*` demos, Socket.IO's websocket transport): the request
 *   text is rebuilt from `rawHeaders` (order and case as sent); the response
 *   is what the endpoint writes to the socket up to CRLF CRLF; after that
 *   every chunk read from or written to the socket is a `data` entry.
 * - Engine.IO polling requests (`EIO` in the query): each request body and
 *   response body is an `http` entry.
 *
 * The data path copies each chunk (endpoints such as `ws` unmask received
 * buffers in place) and never awaits: recording cannot block the connection.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type Capture, type CaptureStore, isValidCaptureId } from "./capture-store.ts";

export interface CaptureHookOptions {
  /** Paths never recorded (the tap itself). */
  excludePaths?: readonly string[];
  /** An Engine.IO polling session with no request for this long has ended. Default 60 s. */
  engineIoIdleMs?: number;
}

/** Engine.IO session state of a capture (one session at a time per capture id). */
interface EngineIoSession {
  sid?: string;
  openWebSockets: number;
  ended: boolean;
  idleTimer?: NodeJS.Timeout;
}

type WriteFn = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
type EndFn = (chunk?: unknown, encoding?: unknown, callback?: unknown) => unknown;

/** A copy of a chunk as bytes (endpoints may reuse or unmask buffers in place after writing). */
function toBytes(chunk: unknown, encoding: unknown): Uint8Array | undefined {
  if (typeof chunk === "string")
    return Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  // %TypedArray%.prototype.slice copies with one memcpy (Buffer#slice would not copy).
  if (chunk instanceof Uint8Array) return Uint8Array.prototype.slice.call(chunk);
  return undefined;
}

/** The chunks of a `writev` as byte views (not copies: use them before returning). */
function writevParts(items: readonly unknown[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const item of items) {
    if (item instanceof Uint8Array) {
      parts.push(item);
      continue;
    }
    const { chunk, encoding } = item as { chunk: unknown; encoding?: string };
    if (typeof chunk === "string")
      parts.push(Buffer.from(chunk, (encoding ?? "utf8") as BufferEncoding));
    else if (chunk instanceof Uint8Array) parts.push(chunk);
  }
  return parts;
}

/** A chunk given to write() as byte views (strings are encoded; nothing else is copied). */
function writeParts(chunk: unknown, encoding: unknown): Uint8Array[] {
  if (typeof chunk === "string")
    return [
      Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"),
    ];
  return chunk instanceof Uint8Array ? [chunk] : [];
}

/** `GET /path?q HTTP/1.1` + the header lines exactly as received. */
export function rawRequestText(request: IncomingMessage): string {
  let text = `${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`;
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${text}\r\n`;
}

function captureIdOf(
  url: string | undefined,
): { id: string | null; query: URLSearchParams } | undefined {
  if (!url || !url.includes("capture=")) return undefined;
  const query = new URL(url, "http://capture.invalid").searchParams;
  return { id: query.get("capture"), query };
}

export function installCaptureHook(
  server: Server,
  store: CaptureStore,
  options: CaptureHookOptions = {},
): void {
  const excluded = new Set(options.excludePaths ?? []);
  const idleMs = options.engineIoIdleMs ?? 60_000;
  const sessions = new WeakMap<Capture, EngineIoSession>();
  /** Keep-alive polling connections keep their number within a capture. */
  const connectionNumbers = new WeakMap<Socket, { capture: Capture; connection: number }>();

  const originalEmit = server.emit;
  server.emit = function emit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "upgrade" || event === "request") {
      const request = args[0] as IncomingMessage;
      const found = captureIdOf(request.url);
      if (found && !excluded.has(new URL(request.url ?? "/", "http://x").pathname)) {
        const handled =
          event === "upgrade"
            ? onUpgrade(request, args[1] as Duplex, args[2] as Buffer, found.id, found.query)
            : onRequest(request, args[1] as ServerResponse, found.id, found.query);
        if (!handled) return true;
      }
    }
    return originalEmit.apply(this, [event, ...args] as Parameters<Server["emit"]>);
  } as Server["emit"];

  function sessionOf(capture: Capture): EngineIoSession {
    let session = sessions.get(capture);
    if (!session || session.ended) {
      session = { openWebSockets: 0, ended: false };
      sessions.set(capture, session);
    }
    return session;
  }

  function endSession(
    capture: Capture,
    session: EngineIoSession,
    reason: string,
    connection?: number,
  ) {
    if (session.ended) return;
    session.ended = true;
    clearTimeout(session.idleTimer);
    capture.add({
      kind: "end",
      time: capture.time(),
      ...(connection === undefined ? {} : { connection }),
      ...(session.sid ? { sid: session.sid } : {}),
      reason,
    });
  }

  /** Returns false when the upgrade was refused here. */
  function onUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    id: string | null,
    query: URLSearchParams,
  ): boolean {
    if (!id || !isValidCaptureId(id)) {
      refuseUpgrade(socket);
      return false;
    }
    const capture = store.open(id);
    const engineIo = query.has("EIO");
    const session = engineIo ? sessionOf(capture) : undefined;
    if (session) {
      session.sid ??= query.get("sid") ?? undefined;
      session.openWebSockets++;
      clearTimeout(session.idleTimer);
    }
    const connection = capture.nextConnection();
    const requestText = rawRequestText(request);
    let response = "";
    let handshakeRecorded = false;
    /** Client bytes that arrived before the response head was complete. */
    const early: { time: number; bytes: Uint8Array }[] = [];
    if (head.length > 0)
      early.push({ time: capture.time(), bytes: Uint8Array.prototype.slice.call(head) });

    const recordHandshake = () => {
      handshakeRecorded = true;
      capture.add({
        kind: "handshake",
        time: capture.time(),
        connection,
        request: requestText,
        response,
      });
      for (const chunk of early) capture.addData("client", connection, chunk.bytes, chunk.time);
      early.length = 0;
    };

    /** Bytes handed to the TCP handle (views: copied by `addData` before returning). */
    const written = (parts: Uint8Array[]) => {
      if (!handshakeRecorded) {
        // The response head is latin1 text; bytes after CRLF CRLF are already frames.
        for (const part of parts)
          response += Buffer.from(part.buffer, part.byteOffset, part.length).toString("latin1");
        const end = response.indexOf("\r\n\r\n");
        if (end < 0) return;
        const rest = Buffer.from(response.slice(end + 4), "latin1");
        response = response.slice(0, end + 4);
        recordHandshake();
        if (rest.length === 0) return;
        parts = [rest];
      }
      capture.addData("server", connection, parts);
    };

    const net = socket as Socket;
    observeWrites(net, written);
    // Bytes read from TCP reach the stream through push(); unshift() (ws re-feeding `head`) does not.
    const push = net.push;
    net.push = function (chunk: unknown, encoding?: BufferEncoding) {
      if (chunk instanceof Uint8Array && chunk.length > 0) {
        // Copied now: endpoints such as ws unmask received buffers in place.
        if (handshakeRecorded) capture.addData("client", connection, chunk);
        else early.push({ time: capture.time(), bytes: Uint8Array.prototype.slice.call(chunk) });
      }
      return push.call(this, chunk, encoding);
    };

    socket.once("close", () => {
      if (!handshakeRecorded) recordHandshake();
      if (session) {
        session.openWebSockets--;
        // The websocket transport carries the session to its end (a failed probe is the rare exception).
        if (response.startsWith("HTTP/1.1 101"))
          endSession(capture, session, "transport closed", connection);
      } else {
        capture.add({ kind: "end", time: capture.time(), connection, reason: "connection closed" });
      }
    });
    return true;
  }

  /** Engine.IO polling: records request and response bodies. Returns false when refused here. */
  function onRequest(
    request: IncomingMessage,
    response: ServerResponse,
    id: string | null,
    query: URLSearchParams,
  ): boolean {
    if (!query.has("EIO")) return true; // only Engine.IO polling is recorded over plain HTTP
    if (!id || !isValidCaptureId(id)) {
      const body = JSON.stringify({ error: "capture id must be 8–64 of [A-Za-z0-9_-]" });
      response.writeHead(400, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
      return false;
    }
    const capture = store.open(id);
    const session = sessionOf(capture);
    session.sid ??= query.get("sid") ?? undefined;
    const touch = () => {
      if (session.ended || session.openWebSockets > 0) return;
      if (session.idleTimer) session.idleTimer.refresh();
      else {
        session.idleTimer = setTimeout(() => endSession(capture, session, "polling idle"), idleMs);
        session.idleTimer.unref();
      }
    };
    touch();

    const socket = request.socket;
    let numbered = connectionNumbers.get(socket);
    if (!numbered || numbered.capture !== capture) {
      numbered = { capture, connection: capture.nextConnection() };
      connectionNumbers.set(socket, numbered);
    }
    const connection = numbered.connection;
    const exchange = capture.nextExchange();
    const method = request.method ?? "GET";
    const url = request.url ?? "/";

    const sawClose = (body: Buffer) => {
      // An Engine.IO close packet ("1") in a polling payload ends the session.
      if (
        body.length > 0 &&
        body.length < 4096 &&
        body.toString("latin1").split("\x1e").includes("1")
      ) {
        const timer = setTimeout(() => endSession(capture, session, "close packet"), 200);
        timer.unref();
      }
    };

    const requestChunks: Uint8Array[] = [];
    let requestRecorded = false;
    const recordRequest = () => {
      if (requestRecorded) return;
      requestRecorded = true;
      const body = Buffer.concat(requestChunks);
      capture.add({
        kind: "http",
        direction: "client",
        time: capture.time(),
        connection,
        exchange,
        method,
        url,
        body,
      });
      sawClose(body);
    };
    if (method === "GET" || method === "HEAD") {
      recordRequest();
    } else {
      const emit = request.emit;
      request.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]) {
        if (event === "data") {
          const bytes = toBytes(args[0], undefined);
          if (bytes) requestChunks.push(bytes);
        } else if (event === "end") {
          recordRequest();
        }
        return emit.apply(this, [event, ...args] as Parameters<IncomingMessage["emit"]>);
      } as IncomingMessage["emit"];
    }

    const responseChunks: Uint8Array[] = [];
    const write = response.write as WriteFn;
    response.write = function (
      this: ServerResponse,
      chunk: unknown,
      encoding?: unknown,
      callback?: unknown,
    ) {
      const bytes = toBytes(chunk, encoding);
      if (bytes) responseChunks.push(bytes);
      return write.call(this, chunk, encoding, callback);
    } as ServerResponse["write"];
    const end = response.end as EndFn;
    response.end = function (
      this: ServerResponse,
      chunk?: unknown,
      encoding?: unknown,
      callback?: unknown,
    ) {
      const bytes = toBytes(chunk, encoding);
      if (bytes) responseChunks.push(bytes);
      recordRequest();
      const body = Buffer.concat(responseChunks);
      const contentType = response.getHeader("content-type");
      const contentEncoding = response.getHeader("content-encoding");
      capture.add({
        kind: "http",
        direction: "server",
        time: capture.time(),
        connection,
        exchange,
        method,
        url,
        status: response.statusCode,
        ...(contentType ? { contentType: String(contentType) } : {}),
        ...(contentEncoding ? { contentEncoding: String(contentEncoding) } : {}),
        body,
      });
      if (!session.sid && body[0] === 0x30 /* "0" open packet */) {
        try {
          session.sid = (JSON.parse(body.toString("utf8").slice(1)) as { sid?: string }).sid;
        } catch {
          // not an open packet after all
        }
      }
      sawClose(body);
      return end.call(this, chunk, encoding, callback);
    } as ServerResponse["end"];
    return true;
  }
}

type WriteGeneric = (
  writev: boolean,
  data: unknown,
  encoding: string,
  callback: unknown,
) => unknown;

/**
 * Calls `observe` with each chunk as it is handed to the TCP handle: writes
 * made while the socket is corked arrive together (one `writev`, one chunk),
 * as they cross the wire. Falls back to `write`/`end` on streams without
 * Node's `_writeGeneric`.
 */
function observeWrites(socket: Socket, observe: (parts: Uint8Array[]) => void): void {
  const internal = socket as unknown as { _writeGeneric?: WriteGeneric };
  const writeGeneric = internal._writeGeneric;
  if (typeof writeGeneric === "function") {
    internal._writeGeneric = function (this: Socket, writev, data, encoding, callback) {
      const parts = writev ? writevParts(data as unknown[]) : writeParts(data, encoding);
      if (parts.length > 0) observe(parts);
      return writeGeneric.call(this, writev, data, encoding, callback);
    };
    return;
  }
  const write = socket.write as WriteFn;
  socket.write = function (this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown) {
    const parts = writeParts(chunk, encoding);
    if (parts.length > 0) observe(parts);
    return write.call(this, chunk, encoding, callback);
  } as Socket["write"];
  const end = socket.end as EndFn;
  socket.end = function (this: Socket, chunk?: unknown, encoding?: unknown, callback?: unknown) {
    const parts = writeParts(chunk, encoding);
    if (parts.length > 0) observe(parts);
    return end.call(this, chunk, encoding, callback);
  } as Socket["end"];
}

function refuseUpgrade(socket: Duplex): void {
  const body = "400 Bad Request: capture id must be 8–64 of [A-Za-z0-9_-]\n";
  socket.on("error", () => socket.destroy());
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once("finish", () => socket.destroy());
}
