import { afterEach, describe, expect, test } from "vitest";
import { io } from "socket.io-client";
import type { ManagerOptions, Socket as ClientSocket, SocketOptions } from "socket.io-client";
import { startChatServer } from "./solution.ts";

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

function nextEvent<T = unknown>(socket: ClientSocket, event: string, ms = 1000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${event}" event arrived within ${ms} ms`)),
      ms,
    );
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
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

function collectEvents(socket: ClientSocket, event: string, ms = 250): Promise<unknown[]> {
  const got: unknown[] = [];
  const listener = (payload: unknown) => got.push(payload);
  socket.on(event, listener);
  return new Promise((resolve) =>
    setTimeout(() => {
      socket.off(event, listener);
      resolve(got);
    }, ms),
  );
}

async function start() {
  const server = await startChatServer();
  cleanup.push(() => server.close());
  return server;
}

async function member(port: number, room: string): Promise<ClientSocket> {
  const socket = client(port);
  await connected(socket);
  const answer = await emitWithAck(socket, "join", room);
  expect(answer).toEqual({ ok: true, room });
  return socket;
}

describe("startChatServer (Socket.IO)", () => {
  test("accepts a Socket.IO connection on the main namespace", async () => {
    const { port } = await start();
    const socket = client(port);
    await connected(socket);
    expect(socket.connected).toBe(true);
  });

  test("acknowledges join with { ok: true, room }", async () => {
    const { port } = await start();
    const socket = client(port);
    await connected(socket);
    expect(await emitWithAck(socket, "join", "lobby")).toEqual({ ok: true, room: "lobby" });
  });

  test("delivers a message to the other sockets in the room, with from = the sender's id", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const arriving = nextEvent(bob, "message");
    alice.emit("message", { room: "lobby", text: "hello lobby" });
    expect(await arriving).toEqual({ room: "lobby", text: "hello lobby", from: alice.id });
  });

  test("does not deliver to the sender", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const aliceGets = collectEvents(alice, "message", 300);
    const arriving = nextEvent(bob, "message");
    alice.emit("message", { room: "lobby", text: "not for me" });
    await arriving;
    expect(await aliceGets).toEqual([]);
  });

  test("does not deliver to sockets in other rooms or in no room", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const carol = await member(port, "kitchen");
    const dave = client(port);
    await connected(dave);
    const carolGets = collectEvents(carol, "message", 300);
    const daveGets = collectEvents(dave, "message", 300);
    const arriving = nextEvent(bob, "message");
    alice.emit("message", { room: "lobby", text: "lobby only" });
    await arriving;
    expect(await carolGets).toEqual([]);
    expect(await daveGets).toEqual([]);
  });

  test("acknowledges leave and stops delivering to that socket", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const carol = await member(port, "lobby");
    expect(await emitWithAck(carol, "leave", "lobby")).toEqual({ ok: true, room: "lobby" });
    const carolGets = collectEvents(carol, "message", 300);
    const arriving = nextEvent(bob, "message");
    alice.emit("message", { room: "lobby", text: "carol has left" });
    await arriving;
    expect(await carolGets).toEqual([]);
  });
});
