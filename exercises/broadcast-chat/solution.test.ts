import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startChatServer } from "./solution.ts";

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
  const server = await startChatServer();
  cleanup.push(() => server.close());
  return server;
}

describe("startChatServer", () => {
  test("resolves with the port it listens on", async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
  });

  test("relays a message from one client to another", async () => {
    const { port } = await start();
    const alice = await connect(port);
    const bob = await connect(port);
    const arriving = nextMessage(bob);
    alice.send("hi bob");
    const message = await arriving;
    expect(message.data.toString()).toBe("hi bob");
    expect(message.isBinary).toBe(false);
  });

  test("relays to every other client, not only one", async () => {
    const { port } = await start();
    const [alice, bob, carol] = [await connect(port), await connect(port), await connect(port)];
    const arriving = Promise.all([nextMessage(bob), nextMessage(carol)]);
    alice.send("hello all");
    const [toBob, toCarol] = await arriving;
    expect(toBob.data.toString()).toBe("hello all");
    expect(toCarol.data.toString()).toBe("hello all");
  });

  test("does not send the message back to its sender", async () => {
    const { port } = await start();
    const alice = await connect(port);
    const bob = await connect(port);
    const aliceGets = collect(alice, 200);
    const arriving = nextMessage(bob);
    alice.send("just for the others");
    await arriving;
    expect(await aliceGets).toEqual([]);
  });

  test("keeps working after a client leaves", async () => {
    const { port } = await start();
    const alice = await connect(port);
    const bob = await connect(port);
    const carol = await connect(port);
    await new Promise<void>((resolve) => {
      carol.once("close", () => resolve());
      carol.close();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const arriving = nextMessage(bob);
    alice.send("still here?");
    expect((await arriving).data.toString()).toBe("still here?");
  });

  test("relays messages in the order they were sent", async () => {
    const { port } = await start();
    const alice = await connect(port);
    const bob = await connect(port);
    const bobGets = collect(bob, 300);
    for (const text of ["1", "2", "3", "4"]) alice.send(text);
    expect(await bobGets).toEqual(["1", "2", "3", "4"]);
  });
});
