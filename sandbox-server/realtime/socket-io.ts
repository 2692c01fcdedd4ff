import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import {
  Server as EngineServer,
  type ServerOptions as EngineOptions,
  type Socket as EngineSocket,
} from "engine.io";
import { Server, type Namespace, type Socket } from "socket.io";
import {
  checkOrigin,
  clientIp,
  normalizeIp,
  refuseRequest,
  refuseUpgrade,
  type ConnectionCounter,
} from "./admission.ts";
import type { RealtimeOptions } from "./options.ts";
import { TokenBucket, rateLimitMessage } from "./token-bucket.ts";
import type { RealtimeError } from "./validation.ts";

/** The event a socket receives right before the server disconnects it for breaking a limit. */
export const SANDBOX_ERROR_EVENT = "sandbox-error";

/** One Socket.IO server on its own path, routed by the sandbox server (no `attach`). */
export interface RoutedSocketIo {
  io: Server;
  /** Pathname prefix, with the trailing slash (`/socket.io/`). */
  path: string;
  handleRequest(request: IncomingMessage, response: ServerResponse): void;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Builds a Socket.IO server bound to its own Engine.IO server. The sandbox's
 * router hands it the HTTP requests and upgrades under `path`, so Socket.IO never
 * installs its own `request`/`upgrade` listeners (which would race the router's
 * 404 for unknown upgrade paths) and every byte passes through the router.
 *
 * Before Engine.IO sees a handshake, the Origin check (403) and the per-IP
 * connection cap (429) run here; `allowRequest` is left to the caller.
 */
export function createRoutedSocketIo(
  path: string,
  options: RealtimeOptions,
  counter: ConnectionCounter,
  engineOptions: Partial<EngineOptions> = {},
): RoutedSocketIo {
  const engine = new EngineServer({
    maxHttpBufferSize: options.socketIoMaxPayload,
    transports: ["polling", "websocket"],
    allowUpgrades: true,
    ...engineOptions,
  });
  const io = new Server({ serveClient: false, path });
  io.bind(engine);

  engine.on("connection", (conn: EngineSocket) => {
    const release = counter.add(normalizeIp(conn.remoteAddress));
    conn.once("close", release);
  });

  const isHandshake = (request: IncomingMessage) =>
    !new URL(request.url ?? "/", "http://sandbox.invalid").searchParams.has("sid");

  return {
    io,
    path,
    handleRequest(request, response) {
      if (isHandshake(request)) {
        const refusal =
          checkOrigin(request, options.originAllowlist) ?? counter.check(clientIp(request));
        if (refusal) {
          refuseRequest(response, refusal);
          return;
        }
      }
      engine.handleRequest(request, response);
    },
    handleUpgrade(request, socket, head) {
      const refusal =
        checkOrigin(request, options.originAllowlist) ??
        (isHandshake(request) ? counter.check(clientIp(request)) : undefined);
      if (refusal) {
        refuseUpgrade(socket, refusal);
        return;
      }
      engine.handleUpgrade(request, socket, head);
    },
  };
}

/**
 * Rate limit for a namespace: one token bucket per Engine.IO connection, shared
 * by every namespace multiplexed on it. Over the limit the socket gets
 * `sandbox-error` `{code: "RATE_LIMIT", message}` and is disconnected
 * (`socket.disconnect(true)`: the client sees `io server disconnect`, no
 * auto-reconnect). Events accepted before the limit still get their acks: the
 * refusal waits until their handlers (run on the next tick) have answered.
 */
export function limitRate(namespace: Namespace, options: RealtimeOptions): void {
  const refused = new WeakSet<Socket>();
  namespace.on("connection", (socket: Socket) => {
    socket.use((_event, next) => {
      const bucket = sharedBucket(socket.conn, options);
      if (refused.has(socket)) return;
      if (bucket.take()) {
        next();
        return;
      }
      refused.add(socket);
      setImmediate(() => {
        if (!socket.connected) return;
        const error: RealtimeError = { code: "RATE_LIMIT", message: rateLimitMessage(bucket) };
        socket.emit(SANDBOX_ERROR_EVENT, error);
        socket.disconnect(true);
      });
    });
  });
}

/** Buckets live on the connection so all its namespaces draw from the same one. */
const connectionBuckets = new WeakMap<object, TokenBucket>();
function sharedBucket(conn: object, options: RealtimeOptions): TokenBucket {
  let bucket = connectionBuckets.get(conn);
  if (!bucket) {
    bucket = new TokenBucket(options.messageBurst, options.messagesPerSecond, options.now);
    connectionBuckets.set(conn, bucket);
  }
  return bucket;
}

/** Calls `ack` when the client asked for an acknowledgement. */
export function reply(ack: unknown, value: unknown): void {
  if (typeof ack === "function") (ack as (value: unknown) => void)(value);
}

/** An `Error` for `next(error)` in a middleware: the client's `connect_error` gets `message` and `data`. */
export function connectError(message: string, data: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { data });
}
