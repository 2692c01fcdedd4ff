/** Test helpers: hex fixtures, fixed mask generators, a loopback TCP tap. */
import net from "node:net";
import { concatBytes, hexToBytes } from "../../../src/protocol/hex.ts";
import { getHeader, parseHttpHead, type HttpHead } from "../../../src/protocol/http-handshake.ts";
import type { FrameParserOutput, ParsedStream } from "../../../src/protocol/frame-parser.ts";

export const hex = hexToBytes;

/** A mask generator that returns the given keys in turn (then repeats the last). */
export function fixedMasks(...keys: string[]): () => Uint8Array {
  let i = 0;
  return () => hexToBytes(keys[Math.min(i++, keys.length - 1)]);
}

/** The results of a parse without the need-more steps (which depend on chunking), as comparable data. */
export function comparable(result: FrameParserOutput | ParsedStream) {
  return {
    frames: result.frames.map((frame) => ({
      ...frame,
      header: digest(frame.header),
      wirePayload: digest(frame.wirePayload),
      payload: digest(frame.payload),
      maskingKey: frame.maskingKey && digest(frame.maskingKey),
    })),
    messages: result.messages.map((message) => ({ ...message, data: digest(message.data) })),
    steps: result.steps.filter((step) => step.kind !== "need-more"),
    error: result.error,
  };
}

/** Length + FNV-1a hash: cheap to compare, unlike deep equality of 64 KiB arrays. */
export function digest(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return `${bytes.length}:${(hash >>> 0).toString(16)}`;
}

export interface TapChunk {
  direction: "client" | "server";
  bytes: Uint8Array;
}

export interface TappedConnection {
  chunks: TapChunk[];
  closed: Promise<void>;
}

export interface TapProxy {
  port: number;
  connections: TappedConnection[];
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 that records every chunk exactly as it crossed,
 * per connection and direction ("client" = client → server).
 */
export async function startTapProxy(targetPort: number): Promise<TapProxy> {
  const connections: TappedConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((downstream) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(downstream);
    sockets.add(upstream);
    const chunks: TapChunk[] = [];
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    connections.push({ chunks, closed });
    let open = 2;
    const done = () => {
      if (--open === 0) resolveClosed();
    };
    downstream.on("data", (data: Buffer) => {
      chunks.push({ direction: "client", bytes: new Uint8Array(data) });
      upstream.write(data);
    });
    upstream.on("data", (data: Buffer) => {
      chunks.push({ direction: "server", bytes: new Uint8Array(data) });
      downstream.write(data);
    });
    downstream.on("end", () => upstream.end());
    upstream.on("end", () => downstream.end());
    downstream.on("close", () => {
      upstream.destroy();
      done();
    });
    upstream.on("close", () => {
      downstream.destroy();
      done();
    });
    downstream.on("error", () => {});
    upstream.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The chunks of one direction. */
export function chunksOf(
  connection: TappedConnection,
  direction: "client" | "server",
): Uint8Array[] {
  return connection.chunks
    .filter((chunk) => chunk.direction === direction)
    .map((chunk) => chunk.bytes);
}

export interface HttpExchangeMessage {
  head: HttpHead;
  body: Uint8Array;
}

/**
 * Splits one direction of a captured HTTP/1.1 connection into messages
 * (Content-Length or chunked bodies; GET requests and 101 responses have
 * none). After a 101 response / upgrade request the rest is returned as `rest`.
 */
export function splitHttpMessages(bytes: Uint8Array): {
  messages: HttpExchangeMessage[];
  rest: Uint8Array;
} {
  const messages: HttpExchangeMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    const parsed = parseHttpHead(bytes.subarray(at));
    if (!parsed.ok) break;
    const head = parsed.head;
    at += head.headLength;
    const length = getHeader(head, "content-length");
    let body: Uint8Array = new Uint8Array(0);
    if (getHeader(head, "transfer-encoding")?.toLowerCase() === "chunked") {
      const parts: Uint8Array[] = [];
      for (;;) {
        const lineEnd = bytes.indexOf(0x0a, at);
        const size = parseInt(new TextDecoder().decode(bytes.subarray(at, lineEnd)).trim(), 16);
        at = lineEnd + 1;
        if (size === 0) {
          at += 2;
          break;
        }
        parts.push(bytes.subarray(at, at + size));
        at += size + 2;
      }
      body = concatBytes(parts);
    } else if (length !== undefined) {
      body = bytes.subarray(at, at + Number(length));
      at += Number(length);
    }
    messages.push({ head, body });
    const upgraded =
      head.kind === "response" ? head.status === 101 : getHeader(head, "upgrade") !== undefined;
    if (upgraded) return { messages, rest: bytes.subarray(at) };
  }
  return { messages, rest: bytes.subarray(at) };
}
