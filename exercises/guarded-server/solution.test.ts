import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startGuardedServer } from "./solution.ts";

const APP = "https://app.example.com";
const GUARD = { allowedOrigins: [APP], maxPayload: 1024, maxMessagesPerSecond: 5 };

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function start() {
  const server = await startGuardedServer(GUARD);
  cleanup.push(() => server.close());
  return server.port;
}

/** Open a WebSocket; resolves with the socket, or with the HTTP status that refused it. */
function connect(port: number, origin?: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, origin ? { origin } : {});
    cleanup.push(() => socket.terminate());
    const timer = setTimeout(
      () => reject(new Error("the handshake got no answer within 1000 ms")),
      1000,
    );
    socket.once("open", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("unexpected-response", (_request, response) => {
      clearTimeout(timer);
      resolve(response.statusCode ?? 0);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`the handshake failed: ${error.message}`));
    });
  });
}

/** The handshake's outcome in a word: "open", or the HTTP status that refused it. */
async function handshake(port: number, origin?: string): Promise<"open" | number> {
  const result = await connect(port, origin);
  return typeof result === "number" ? result : "open";
}

async function open(port: number): Promise<WebSocket> {
  const result = await connect(port, APP);
  if (typeof result === "number")
    throw new Error(`an allowed origin was refused with HTTP ${result}`);
  return result;
}

function nextMessage(socket: WebSocket, ms = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message came back within ${ms} ms`)), ms);
    socket.once("message", (data) => {
      clearTimeout(timer);
      resolve(String(data));
    });
  });
}

function closeCode(socket: WebSocket, ms = 1000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not close the connection within ${ms} ms`)),
      ms,
    );
    socket.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("startGuardedServer", () => {
  test("echoes a message from an allowed origin", async () => {
    const socket = await open(await start());
    socket.send("hello from the app");
    expect(await nextMessage(socket)).toBe("hello from the app");
  });

  test("refuses a handshake from another origin with HTTP 403", async () => {
    expect(await handshake(await start(), "https://evil.example")).toBe(403);
  });

  test("refuses a handshake without an Origin header with HTTP 403", async () => {
    expect(await handshake(await start())).toBe(403);
  });

  test("accepts a message of exactly maxPayload bytes", async () => {
    const socket = await open(await start());
    socket.send("a".repeat(GUARD.maxPayload));
    expect((await nextMessage(socket)).length).toBe(GUARD.maxPayload);
  });

  test("closes with 1009 when a message is larger than maxPayload", async () => {
    const socket = await open(await start());
    const closed = closeCode(socket);
    socket.send("a".repeat(GUARD.maxPayload + 1));
    expect(await closed).toBe(1009);
  });

  test("closes with 1008 when a client sends more than maxMessagesPerSecond messages in a second", async () => {
    const socket = await open(await start());
    const closed = closeCode(socket);
    for (let i = 0; i <= GUARD.maxMessagesPerSecond; i++) socket.send(`message ${i}`);
    expect(await closed).toBe(1008);
  });

  test("keeps a client that stays under the rate connected", async () => {
    const socket = await open(await start());
    let echoed = 0;
    socket.on("message", () => echoed++);
    for (let i = 0; i < GUARD.maxMessagesPerSecond; i++) socket.send(`first ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < GUARD.maxMessagesPerSecond; i++) socket.send(`second ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(echoed).toBe(GUARD.maxMessagesPerSecond * 2);
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });
});
