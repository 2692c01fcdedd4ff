import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { WebSocket } from "ws";

type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** Every client a test opened, so `afterEach` can close them all. */
export class Clients {
  private readonly sockets: Socket[] = [];
  private readonly webSockets: WebSocket[] = [];

  /** A Socket.IO client on its own connection (`forceNew`), not yet awaited. */
  socket(url: string, options: ClientOptions = {}): Socket {
    const socket = io(url, { forceNew: true, reconnection: false, ...options });
    this.sockets.push(socket);
    return socket;
  }

  /** A Socket.IO client, resolved once connected (rejects with the `connect_error`). */
  connect(url: string, options: ClientOptions = {}): Promise<Socket> {
    const socket = this.socket(url, options);
    return new Promise((resolve, reject) => {
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", reject);
    });
  }

  webSocket(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): WebSocket {
    const socket = new WebSocket(url, options);
    socket.on("error", () => {});
    this.webSockets.push(socket);
    return socket;
  }

  closeAll(): void {
    for (const socket of this.sockets.splice(0)) socket.disconnect();
    for (const socket of this.webSockets.splice(0)) socket.terminate();
  }
}

/** Records events as they come; `waitFor` resolves with the first match, past or future. */
export class EventLog<T = unknown[]> {
  readonly entries: { event: string; args: T }[] = [];
  private waiters: { match: (event: string, args: T) => boolean; resolve: (args: T) => void }[] =
    [];

  record(event: string, args: T): void {
    this.entries.push({ event, args });
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(event, args)) return true;
      waiter.resolve(args);
      return false;
    });
  }

  waitFor(event: string, match: (args: T) => boolean = () => true): Promise<T> {
    const found = this.entries.find((entry) => entry.event === event && match(entry.args));
    if (found) return Promise.resolve(found.args);
    return new Promise((resolve) => {
      this.waiters.push({ match: (name, args) => name === event && match(args), resolve });
    });
  }

  events(): string[] {
    return this.entries.map((entry) => entry.event);
  }
}

/** Logs every event of a Socket.IO socket (`onAny`) plus its reserved ones. */
export function logSocket(socket: Socket): EventLog {
  const log = new EventLog();
  socket.onAny((event: string, ...args: unknown[]) => log.record(event, args));
  for (const event of ["connect", "connect_error", "disconnect"]) {
    socket.on(event, (...args: unknown[]) => log.record(event, args));
  }
  return log;
}

/** Logs the Manager's events (`socket.io.on(...)`): reconnection lives there in v4. */
export function logManager(socket: Socket): EventLog {
  const log = new EventLog();
  for (const event of [
    "open",
    "close",
    "error",
    "reconnect_attempt",
    "reconnect",
    "reconnect_error",
    "reconnect_failed",
  ] as const) {
    socket.io.on(event, (...args: unknown[]) => log.record(event, args));
  }
  return log;
}

/** The next JSON text message of a `ws` client. */
export function nextJson(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    socket.once("message", (data: Buffer) => resolve(JSON.parse(data.toString("utf8"))));
  });
}

/** Logs every JSON message of a `ws` client by its `type`. */
export function logJson(socket: WebSocket): EventLog<Record<string, unknown>> {
  const log = new EventLog<Record<string, unknown>>();
  socket.on("message", (data: Buffer) => {
    const message = JSON.parse(data.toString("utf8")) as Record<string, unknown>;
    log.record(String(message.type), message);
  });
  return log;
}

export function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("unexpected-response", (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
}

export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once("close", (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    );
  });
}

/** The HTTP answer to a refused upgrade: status, headers and body. */
export function refusedUpgrade(
  socket: WebSocket,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve) => {
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
  });
}

let counter = 0;
/** A name unique within this test run (rooms, lab ids). */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}
