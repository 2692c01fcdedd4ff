import { afterEach, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startHeartbeatServer } from "./solution.ts";

const INTERVAL = 250;
let cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function start() {
  const server = await startHeartbeatServer({ intervalMs: INTERVAL });
  cleanup.push(() => server.close());
  return server;
}

/** `autoPong: false` makes this client behave like a dead peer: it never answers pings. */
function connect(port: number, options: { autoPong: boolean }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, options);
    cleanup.push(() => socket.terminate());
    socket.once("open", () => resolve(socket));
    socket.once("error", (error) => reject(new Error(`could not connect: ${error.message}`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server's count settles a moment after the client sees its socket close. */
async function settledCount(server: { clientCount(): number }, expected: number): Promise<number> {
  for (let i = 0; i < 25 && server.clientCount() !== expected; i++) await sleep(20);
  return server.clientCount();
}

function closedWithin(socket: WebSocket, ms: number): Promise<boolean> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe("startHeartbeatServer", () => {
  test("sends pings to a connected client, about once per interval", async () => {
    const { port } = await start();
    const socket = await connect(port, { autoPong: true });
    let pings = 0;
    socket.on("ping", () => pings++);
    await sleep(INTERVAL * 4.5);
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(pings).toBeLessThanOrEqual(6);
  });

  test("keeps a client that answers every ping connected", async () => {
    const server = await start();
    const socket = await connect(server.port, { autoPong: true });
    expect(await closedWithin(socket, INTERVAL * 6)).toBe(false);
    expect(server.clientCount()).toBe(1);
  });

  test("terminates a client that never answers (a dead peer) within about two intervals", async () => {
    const server = await start();
    const silent = await connect(server.port, { autoPong: false });
    expect(await closedWithin(silent, INTERVAL * 5)).toBe(true);
    expect(await settledCount(server, 0)).toBe(0);
  });

  test("terminates only the silent client, not the others", async () => {
    const server = await start();
    const healthy = await connect(server.port, { autoPong: true });
    const silent = await connect(server.port, { autoPong: false });
    expect(await closedWithin(silent, INTERVAL * 5)).toBe(true);
    expect(healthy.readyState).toBe(WebSocket.OPEN);
    expect(await settledCount(server, 1)).toBe(1);
  });

  test("close() stops the heartbeat: no more pings afterwards", async () => {
    const server = await startHeartbeatServer({ intervalMs: INTERVAL });
    const socket = await connect(server.port, { autoPong: true });
    await server.close();
    let pings = 0;
    socket.on("ping", () => pings++);
    await sleep(INTERVAL * 3);
    expect(pings).toBe(0);
  });
});
