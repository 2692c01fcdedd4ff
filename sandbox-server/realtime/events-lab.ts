import type { IncomingMessage } from "node:http";
import type { Socket as EngineSocket } from "engine.io";
import type { Namespace, Socket } from "socket.io";
import type { ConnectionCounter } from "./admission.ts";
import type { RealtimeOptions } from "./options.ts";
import {
  connectError,
  createRoutedSocketIo,
  limitRate,
  reply,
  type RoutedSocketIo,
} from "./socket-io.ts";
import { LAB_ID_PATTERN } from "./validation.ts";

/** Path of the lab server: short heartbeat, home of the `/events` explorer. */
export const LAB_PATH = "/socket.io-lab/";
/** The token `/events` accepts in `auth.token`; anything else is rejected by its middleware. */
export const EVENTS_TOKEN = "letmein";
/** The event `/events-watch` sockets receive for each server-side event of their lab. */
export const SERVER_EVENT = "server-event";

/** Most lab ids with a live refusal window kept at once (the map never grows beyond this). */
const MAX_REFUSALS = 10_000;

/**
 * The events explorer. `/events` lives on a second Socket.IO server at
 * `/socket.io-lab/` whose heartbeat is short (2 s + 2 s), so a ping timeout
 * shows up in seconds, not 45. Its server-side events (`connection`,
 * `disconnecting`, `disconnect`, `upgrade`, refused handshakes...) are reported
 * to `/events-watch` on the main server, a separate connection that survives
 * whatever the student does to the `/events` one.
 */
export function createEventsLab(
  options: RealtimeOptions,
  counter: ConnectionCounter,
  watch: Namespace,
): RoutedSocketIo {
  const refusedUntil = new Map<string, number>();

  const report = (lab: string | undefined, event: Record<string, unknown>) => {
    if (lab)
      watch.to(watchRoom(lab)).emit(SERVER_EVENT, { ...event, time: new Date().toISOString() });
  };

  const lab = createRoutedSocketIo(LAB_PATH, options, counter, {
    pingInterval: options.labPingInterval,
    pingTimeout: options.labPingTimeout,
    // Engine.IO calls this for every handshake (never for requests of an open session).
    allowRequest(request, callback) {
      const id = labIdOf(request);
      const until = id === undefined ? undefined : refusedUntil.get(id);
      const left = until === undefined ? 0 : until - options.now();
      if (id !== undefined && left > 0) {
        report(id, { event: "handshake-refused", lab: id, retryInMs: left });
        callback(`lab ${id}: reconnects refused for another ${left} ms (refuse-reconnects)`, false);
        return;
      }
      if (id !== undefined) refusedUntil.delete(id);
      callback(null, true);
    },
  });

  const events = lab.io.of("/events");
  limitRate(events, options);

  events.use((socket, next) => {
    const id = labOf(socket);
    if (socket.handshake.auth.token === EVENTS_TOKEN) {
      next();
      return;
    }
    const message = "not authorized: /events needs auth.token";
    report(id, { event: "connect_error", message, socketId: socket.id });
    next(
      connectError(message, {
        code: "NOT_AUTHORIZED",
        hint: `use auth: { token: "${EVENTS_TOKEN}" }`,
      }),
    );
  });

  events.on("connection", (socket: Socket) => {
    const id = labOf(socket);
    if (id) socket.join(`lab:${id}`);
    report(id, {
      event: "connection",
      socketId: socket.id,
      transport: socket.conn.transport.name,
      rooms: [...socket.rooms],
    });
    socket.conn.on("upgrade", (transport: { name: string }) => {
      report(id, { event: "upgrade", socketId: socket.id, transport: transport.name });
    });
    socket.on("disconnecting", (reason: string) => {
      report(id, { event: "disconnecting", socketId: socket.id, reason, rooms: [...socket.rooms] });
    });
    socket.on("disconnect", (reason: string) => {
      report(id, { event: "disconnect", socketId: socket.id, reason, rooms: [...socket.rooms] });
    });

    socket.on("server-disconnect", (ack: unknown) => {
      reply(ack, { ok: true, command: "server-disconnect", call: "socket.disconnect(true)" });
      socket.disconnect(true);
    });

    socket.on("drop-transport", (ack: unknown) => {
      const transport = socket.conn.transport.name;
      reply(ack, { ok: true, command: "drop-transport", transport });
      dropTransport(socket.conn);
    });

    socket.on("go-silent", (ack: unknown) => {
      if (!canSilence(socket.conn)) {
        reply(ack, {
          ok: false,
          error: { code: "UNSUPPORTED", message: "this Engine.IO cannot go silent" },
        });
        return;
      }
      const { labPingInterval: pingInterval, labPingTimeout: pingTimeout } = options;
      reply(ack, {
        ok: true,
        command: "go-silent",
        pingInterval,
        pingTimeout,
        expectedWithinMs: pingInterval + pingTimeout,
      });
      silence(socket.conn, 3 * (pingInterval + pingTimeout));
    });

    socket.on("refuse-reconnects", (payload: unknown, ack: unknown) => {
      if (typeof payload === "function") [payload, ack] = [{}, payload];
      if (!id) {
        reply(ack, {
          ok: false,
          error: { code: "NO_LAB_ID", message: "connect with query: { lab: <id> } first" },
        });
        return;
      }
      const asked = Number((payload as { ms?: unknown } | null)?.ms ?? 10_000);
      const ms = Math.max(0, Math.min(options.maxRefuseMs, Number.isFinite(asked) ? asked : 0));
      if (refusedUntil.size >= MAX_REFUSALS) pruneRefusals(refusedUntil, options.now());
      refusedUntil.set(id, options.now() + ms);
      reply(ack, { ok: true, command: "refuse-reconnects", lab: id, ms });
      dropTransport(socket.conn);
    });
  });

  return lab;
}

/** Sets up `/events-watch` (main server): `auth: {lab}` picks whose server-side events to receive. */
export function setUpEventsWatch(watch: Namespace, options: RealtimeOptions): void {
  limitRate(watch, options);
  watch.use((socket, next) => {
    const lab = socket.handshake.auth.lab;
    if (typeof lab === "string" && LAB_ID_PATTERN.test(lab)) {
      next();
      return;
    }
    next(
      connectError("invalid lab id: use auth: { lab } with 1-64 of A-Z a-z 0-9 _ -", {
        code: "INVALID_LAB",
      }),
    );
  });
  watch.on("connection", (socket: Socket) => {
    socket.join(watchRoom(socket.handshake.auth.lab as string));
  });
}

const watchRoom = (lab: string) => `watch:${lab}`;

function labOf(socket: Socket): string | undefined {
  const lab = socket.handshake.query.lab;
  return typeof lab === "string" && LAB_ID_PATTERN.test(lab) ? lab : undefined;
}

function labIdOf(request: IncomingMessage): string | undefined {
  const lab = new URL(request.url ?? "/", "http://sandbox.invalid").searchParams.get("lab");
  return lab !== null && LAB_ID_PATTERN.test(lab) ? lab : undefined;
}

function pruneRefusals(refusedUntil: Map<string, number>, now: number) {
  for (const [id, until] of refusedUntil) if (until <= now) refusedUntil.delete(id);
  while (refusedUntil.size >= MAX_REFUSALS) {
    const oldest = refusedUntil.keys().next().value;
    if (oldest === undefined) break;
    refusedUntil.delete(oldest);
  }
}

/** Engine.IO internals `go-silent` relies on (engine.io 6.x, checked at run time). */
interface HeartbeatInternals {
  pingIntervalTimer: NodeJS.Timeout | null;
  pingTimeoutTimer: NodeJS.Timeout | null;
  schedulePing: () => void;
  resetPingTimeout: () => void;
  writeBuffer: unknown[];
}

function internals(conn: EngineSocket): HeartbeatInternals {
  return conn as unknown as HeartbeatInternals;
}

function canSilence(conn: EngineSocket): boolean {
  const inner = internals(conn);
  return typeof inner.schedulePing === "function" && typeof inner.resetPingTimeout === "function";
}

/**
 * Stops heartbeating one connection: no more `2` (ping) from the server, and the
 * server no longer waits for `3` (pong). The client notices after
 * pingInterval + pingTimeout (`ping timeout`) and reconnects. If it never says
 * goodbye, the connection is closed after `fallbackMs` so nothing leaks.
 */
function silence(conn: EngineSocket, fallbackMs: number): void {
  const inner = internals(conn);
  clearTimeout(inner.pingIntervalTimer ?? undefined);
  clearTimeout(inner.pingTimeoutTimer ?? undefined);
  inner.pingIntervalTimer = null;
  inner.pingTimeoutTimer = null;
  inner.schedulePing = () => {};
  inner.resetPingTimeout = () => {};
  const fallback = setTimeout(() => conn.close(), fallbackMs);
  fallback.unref();
  conn.once("close", () => clearTimeout(fallback));
}

/**
 * Ends the connection under the client without a goodbye, once pending packets
 * (the command's ack) are flushed. WebSocket: the TCP connection is destroyed
 * (no close frame). Polling: Engine.IO's close packet `1` ends the session.
 * Either way the client sees `transport close` and its Manager reconnects.
 */
function dropTransport(conn: EngineSocket): void {
  const drop = () =>
    setImmediate(() => {
      if (conn.transport.name === "websocket") {
        const ws = (conn.transport as unknown as { socket?: { terminate(): void } }).socket;
        if (ws) {
          ws.terminate();
          return;
        }
      }
      conn.close();
    });
  if (internals(conn).writeBuffer.length > 0) conn.once("drain", drop);
  else drop();
}
