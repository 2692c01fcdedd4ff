import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/** Why a connection attempt is turned away, as an HTTP status and a sentence. */
export interface Refusal {
  status: 403 | 429;
  code: "ORIGIN_NOT_ALLOWED" | "TOO_MANY_CONNECTIONS";
  message: string;
}

const LOCAL_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Origin check against cross-site WebSocket hijacking. No `Origin` header means a
 * non-browser client, which a hostile page cannot be: allowed. With an allowlist
 * the origin must be listed exactly; without one it must be the request's own host
 * or a localhost origin (any port, for `npm run dev`).
 */
export function checkOrigin(request: IncomingMessage, allowlist?: string[]): Refusal | undefined {
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const refusal: Refusal = {
    status: 403,
    code: "ORIGIN_NOT_ALLOWED",
    message: `origin ${JSON.stringify(origin.slice(0, 100))} is not allowed to connect`,
  };
  if (allowlist) {
    const wanted = normalizeOrigin(origin);
    return allowlist.some((allowed) => normalizeOrigin(allowed) === wanted) ? undefined : refusal;
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return refusal;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return refusal;
  if (LOCAL_HOSTNAMES.has(url.hostname) || url.hostname.endsWith(".localhost")) return undefined;
  const host = request.headers.host?.toLowerCase();
  return host !== undefined && url.host === host ? undefined : refusal;
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, "").toLowerCase();
}

/** The client's IP as the TCP socket sees it (no proxy headers are trusted). */
export function clientIp(request: IncomingMessage): string {
  return normalizeIp(request.socket.remoteAddress ?? "unknown");
}

export function normalizeIp(address: string): string {
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}

/** Counts open connections per IP so one address cannot take the whole sandbox. */
export class ConnectionCounter {
  readonly limit: number;
  private readonly open = new Map<string, number>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** The refusal for a new connection from `ip`, or `undefined` when it may connect. */
  check(ip: string): Refusal | undefined {
    if ((this.open.get(ip) ?? 0) < this.limit) return undefined;
    return {
      status: 429,
      code: "TOO_MANY_CONNECTIONS",
      message: `too many connections from ${ip}: at most ${this.limit} at once; close one and retry`,
    };
  }

  /** Records an opened connection; returns a function that records its close (idempotent). */
  add(ip: string): () => void {
    this.open.set(ip, (this.open.get(ip) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left <= 0) this.open.delete(ip);
      else this.open.set(ip, left);
    };
  }

  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}

const STATUS_TEXT = { 403: "Forbidden", 429: "Too Many Requests" } as const;

/** Answers a refused upgrade with a plain-text HTTP error, then closes the socket. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = `${refusal.status} ${STATUS_TEXT[refusal.status]}: ${refusal.message}\n`;
  socket.on("error", () => {});
  socket.end(
    [
      `HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status]}`,
      "Connection: close",
      "Content-Type: text/plain; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-WireLab-Error: ${refusal.code}`,
      "",
      body,
    ].join("\r\n"),
  );
  socket.once("finish", () => socket.destroy());
}

/** Answers a refused HTTP request (Socket.IO polling handshake) with a JSON error. */
export function refuseRequest(response: ServerResponse, refusal: Refusal): void {
  const text = JSON.stringify({ error: refusal.message, code: refusal.code });
  response.writeHead(refusal.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  response.end(text);
}
