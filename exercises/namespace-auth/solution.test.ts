import { afterEach, describe, expect, test } from "vitest";
import { io } from "socket.io-client";
import type { ManagerOptions, Socket as ClientSocket, SocketOptions } from "socket.io-client";
import { startAdminServer } from "./solution.ts";

let cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function client(
  port: number,
  namespace = "/",
  options: Partial<ManagerOptions & SocketOptions> = {},
): ClientSocket {
  const socket = io(`http://127.0.0.1:${port}${namespace}`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...options,
  });
  cleanup.push(() => {
    socket.disconnect();
  });
  return socket;
}

function connected(socket: ClientSocket, ms = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not connect within ${ms} ms`)), ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      reject(new Error(`connect_error: ${error.message}`));
    });
  });
}

/** Emit with a callback and wait for the server to call it. */
async function emitWithAck(
  socket: ClientSocket,
  event: string,
  ...args: unknown[]
): Promise<unknown> {
  try {
    return await socket.timeout(1000).emitWithAck(event, ...args);
  } catch {
    throw new Error(
      `no acknowledgement for "${event}" within 1000 ms: does the server call the ack callback?`,
    );
  }
}

const TOKEN = "s3cret-token";

async function start() {
  const server = await startAdminServer(TOKEN);
  cleanup.push(() => server.close());
  return server;
}

function connectError(socket: ClientSocket, ms = 2000): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connect_error within ${ms} ms`)), ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      reject(new Error("expected connect_error, but the connection was accepted"));
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}

describe("startAdminServer", () => {
  test("accepts /admin with the right token", async () => {
    const { port } = await start();
    const socket = client(port, "/admin", { auth: { token: TOKEN } });
    await connected(socket);
    expect(socket.connected).toBe(true);
  });

  test('refuses /admin with a wrong token: connect_error "not authorized"', async () => {
    const { port } = await start();
    const error = await connectError(client(port, "/admin", { auth: { token: "wrong" } }));
    expect(error.message).toBe("not authorized");
  });

  test('refuses /admin without any token: connect_error "not authorized"', async () => {
    const { port } = await start();
    const error = await connectError(client(port, "/admin"));
    expect(error.message).toBe("not authorized");
  });

  test("does not accept a token that only starts like the right one", async () => {
    const { port } = await start();
    const error = await connectError(client(port, "/admin", { auth: { token: TOKEN + "x" } }));
    expect(error.message).toBe("not authorized");
  });

  test("answers whoami on /admin with { admin: true }", async () => {
    const { port } = await start();
    const socket = client(port, "/admin", { auth: { token: TOKEN } });
    await connected(socket);
    expect(await emitWithAck(socket, "whoami")).toEqual({ admin: true });
  });

  test("keeps the main namespace open to everyone: whoami answers { admin: false }", async () => {
    const { port } = await start();
    const socket = client(port, "/");
    await connected(socket);
    expect(await emitWithAck(socket, "whoami")).toEqual({ admin: false });
  });
});
