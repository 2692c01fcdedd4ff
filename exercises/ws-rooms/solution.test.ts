import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startRoomServer } from "./solution.ts";

type Received = { data: Buffer; isBinary: boolean };
let cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function connect(port: number, path = "/"): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    cleanup.push(() => socket.terminate());
    socket.once("open", () => resolve(socket));
    socket.once("error", (error) =>
      reject(new Error(`could not connect to ws://127.0.0.1:${port}${path}: ${error.message}`)),
    );
  });
}

function nextMessage(socket: WebSocket, ms = 1000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message arrived within ${ms} ms`)), ms);
    socket.once("message", (data, isBinary) => {
      clearTimeout(timer);
      resolve({ data: data as Buffer, isBinary });
    });
  });
}

/** Collect every message a socket gets during `ms`. */
function collect(socket: WebSocket, ms = 150): Promise<string[]> {
  const got: string[] = [];
  const listener = (data: Buffer) => got.push(String(data));
  socket.on("message", listener);
  return new Promise((resolve) =>
    setTimeout(() => {
      socket.off("message", listener);
      resolve(got);
    }, ms),
  );
}

async function start() {
  const server = await startRoomServer();
  cleanup.push(() => server.close());
  return server;
}

/** Send a command and return the parsed JSON reply. */
async function request(socket: WebSocket, command: object): Promise<unknown> {
  const reply = nextMessage(socket);
  socket.send(JSON.stringify(command));
  return JSON.parse((await reply).data.toString());
}

async function member(port: number, ...rooms: string[]): Promise<WebSocket> {
  const socket = await connect(port);
  for (const room of rooms)
    expect(await request(socket, { type: "join", room })).toEqual({ type: "joined", room });
  return socket;
}

describe("startRoomServer", () => {
  test('answers join with {"type":"joined","room":...}', async () => {
    const socket = await connect((await start()).port);
    expect(await request(socket, { type: "join", room: "lobby" })).toEqual({
      type: "joined",
      room: "lobby",
    });
  });

  test("delivers a room message to the other members of that room", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const arriving = nextMessage(bob);
    alice.send(JSON.stringify({ type: "message", room: "lobby", text: "hi" }));
    expect(JSON.parse((await arriving).data.toString())).toEqual({
      type: "message",
      room: "lobby",
      text: "hi",
    });
  });

  test("does not deliver to clients outside the room", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const carol = await member(port, "kitchen");
    const dave = await connect(port);
    const carolGets = collect(carol, 250);
    const daveGets = collect(dave, 250);
    const arriving = nextMessage(bob);
    alice.send(JSON.stringify({ type: "message", room: "lobby", text: "lobby only" }));
    await arriving;
    expect(await carolGets).toEqual([]);
    expect(await daveGets).toEqual([]);
  });

  test("does not echo a message back to its sender", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const aliceGets = collect(alice, 250);
    const arriving = nextMessage(bob);
    alice.send(JSON.stringify({ type: "message", room: "lobby", text: "not to me" }));
    await arriving;
    expect(await aliceGets).toEqual([]);
  });

  test("lets a client be in several rooms", async () => {
    const { port } = await start();
    const alice = await member(port, "a", "b");
    const bob = await member(port, "a", "b");
    const both = collect(bob, 300);
    alice.send(JSON.stringify({ type: "message", room: "a", text: "to a" }));
    alice.send(JSON.stringify({ type: "message", room: "b", text: "to b" }));
    expect((await both).map((text) => JSON.parse(text))).toEqual([
      { type: "message", room: "a", text: "to a" },
      { type: "message", room: "b", text: "to b" },
    ]);
  });

  test("stops delivering to a client after it leaves", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const carol = await member(port, "lobby");
    expect(await request(carol, { type: "leave", room: "lobby" })).toEqual({
      type: "left",
      room: "lobby",
    });
    const carolGets = collect(carol, 250);
    const arriving = nextMessage(bob);
    alice.send(JSON.stringify({ type: "message", room: "lobby", text: "carol left" }));
    await arriving;
    expect(await carolGets).toEqual([]);
  });

  test("rejects a message to a room the sender has not joined", async () => {
    const { port } = await start();
    const outsider = await connect(port);
    const bob = await member(port, "lobby");
    const bobGets = collect(bob, 250);
    const reply = (await request(outsider, {
      type: "message",
      room: "lobby",
      text: "let me in",
    })) as { type: string };
    expect(reply.type).toBe("error");
    expect(await bobGets).toEqual([]);
  });

  test("answers invalid JSON and unknown types with an error and stays open", async () => {
    const { port } = await start();
    const socket = await connect(port);
    const invalid = nextMessage(socket);
    socket.send("{not json");
    expect(JSON.parse((await invalid).data.toString()).type).toBe("error");
    expect(((await request(socket, { type: "dance", room: "x" })) as { type: string }).type).toBe(
      "error",
    );
    expect(await request(socket, { type: "join", room: "x" })).toEqual({
      type: "joined",
      room: "x",
    });
  });

  test("removes a disconnected client from its rooms without breaking delivery", async () => {
    const { port } = await start();
    const alice = await member(port, "lobby");
    const bob = await member(port, "lobby");
    const carol = await member(port, "lobby");
    carol.terminate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const arriving = nextMessage(bob);
    alice.send(JSON.stringify({ type: "message", room: "lobby", text: "still works" }));
    expect(JSON.parse((await arriving).data.toString()).text).toBe("still works");
  });
});
