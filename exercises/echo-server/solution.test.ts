import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startEchoServer } from "./solution.ts";

type Received = { data: Buffer; isBinary: boolean };
let cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function start() {
  const server = await startEchoServer();
  cleanup.push(() => server.close());
  return server;
}

function connect(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    cleanup.push(() => socket.terminate());
    socket.once("open", () => resolve(socket));
    socket.once("error", (error) =>
      reject(new Error(`could not connect to ws://127.0.0.1:${port}: ${error.message}`)),
    );
  });
}

function nextMessage(socket: WebSocket, ms = 1000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message came back within ${ms} ms`)), ms);
    socket.once("message", (data, isBinary) => {
      clearTimeout(timer);
      resolve({ data: data as Buffer, isBinary });
    });
  });
}

describe("startEchoServer", () => {
  test("resolves with the port it listens on (an ephemeral port, not 0)", async () => {
    const server = await start();
    expect(typeof server.port).toBe("number");
    expect(server.port).toBeGreaterThan(0);
  });

  test("accepts a WebSocket connection on 127.0.0.1", async () => {
    const server = await start();
    const socket = await connect(server.port);
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  test("sends a text message back as text", async () => {
    const socket = await connect((await start()).port);
    socket.send("hello, wire");
    const reply = await nextMessage(socket);
    expect(reply.isBinary).toBe(false);
    expect(reply.data.toString()).toBe("hello, wire");
  });

  test("sends a binary message back as binary, byte for byte", async () => {
    const socket = await connect((await start()).port);
    socket.send(Buffer.from([0, 1, 2, 254, 255]));
    const reply = await nextMessage(socket);
    expect(reply.isBinary).toBe(true);
    expect(Array.from(reply.data)).toEqual([0, 1, 2, 254, 255]);
  });

  test("keeps UTF-8 text intact", async () => {
    const socket = await connect((await start()).port);
    socket.send("héllo ✓ 🙂");
    expect((await nextMessage(socket)).data.toString()).toBe("héllo ✓ 🙂");
  });

  test("echoes messages in order", async () => {
    const socket = await connect((await start()).port);
    const replies: string[] = [];
    const done = new Promise<void>((resolve) => {
      socket.on("message", (data) => {
        replies.push(String(data));
        if (replies.length === 3) resolve();
      });
    });
    socket.send("one");
    socket.send("two");
    socket.send("three");
    await done;
    expect(replies).toEqual(["one", "two", "three"]);
  });

  test("answers each client on its own connection only", async () => {
    const server = await start();
    const alice = await connect(server.port);
    const bob = await connect(server.port);
    let bobGot = 0;
    bob.on("message", () => bobGot++);
    alice.send("only for alice");
    expect((await nextMessage(alice)).data.toString()).toBe("only for alice");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bobGot).toBe(0);
  });

  test("close() resolves and the port stops accepting connections", async () => {
    const server = await startEchoServer();
    await server.close();
    await expect(
      new Promise((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}`);
        socket.once("open", () => {
          socket.terminate();
          resolve("connected");
        });
        socket.once("error", reject);
      }),
    ).rejects.toThrow();
  });
});
