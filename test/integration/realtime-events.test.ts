import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRealtimeFeature } from "../../sandbox-server/realtime/index.ts";
import { startSandbox, type RunningSandbox } from "../support/sandbox.ts";
import { Clients, logManager, logSocket, unique, type EventLog } from "./realtime-support.ts";

// The lab heartbeat is shortened (default 2000 + 2000 ms) so `ping timeout` comes fast, yet long
// enough that a busy test machine never misses a ping by accident.
const PING_INTERVAL = 800;
const PING_TIMEOUT = 800;

let sandbox: RunningSandbox;
const clients = new Clients();
beforeAll(async () => {
  sandbox = await startSandbox(
    [createRealtimeFeature({ labPingInterval: PING_INTERVAL, labPingTimeout: PING_TIMEOUT })],
    undefined,
  );
});
afterEach(() => clients.closeAll());
afterAll(() => sandbox.server.close());

const LAB = { path: "/socket.io-lab/" };
const FAST_RECONNECT = { reconnectionDelay: 20, reconnectionDelayMax: 40, randomizationFactor: 0 };

/** A watcher on the main server plus an `/events` client of the same lab id. */
async function openLab(options: Parameters<Clients["socket"]>[1] = {}) {
  const lab = unique("lab");
  const watcher = await clients.connect(`${sandbox.http}/events-watch`, { auth: { lab } });
  const server = logSocket(watcher);
  const socket = clients.socket(`${sandbox.http}/events`, {
    ...LAB,
    query: { lab },
    auth: { token: "letmein" },
    ...options,
  });
  const client = logSocket(socket);
  const manager = logManager(socket);
  await client.waitFor("connect");
  await server.waitFor(
    "server-event",
    ([event]) => (event as { event: string }).event === "connection",
  );
  return { lab, socket, client, manager, server };
}

/** Waits for a server-side event reported to the watcher. */
function serverEvent(server: EventLog, name: string, socketId?: string) {
  return server
    .waitFor("server-event", ([event]) => {
      const { event: kind, socketId: id } = event as { event: string; socketId?: string };
      return kind === name && (socketId === undefined || id === socketId);
    })
    .then(([event]) => event as Record<string, unknown>);
}

describe("/events: connect_error", () => {
  it("rejects a wrong token with a message and data, and tells the watcher", async () => {
    const lab = unique("lab");
    const watcher = await clients.connect(`${sandbox.http}/events-watch`, { auth: { lab } });
    const server = logSocket(watcher);
    const socket = clients.socket(`${sandbox.http}/events`, {
      ...LAB,
      query: { lab },
      auth: { token: "nope" },
    });
    const error = await new Promise<Error & { data?: unknown }>((resolve) =>
      socket.once("connect_error", resolve),
    );
    expect(error.message).toBe("not authorized: /events needs auth.token");
    expect(error.data).toEqual({ code: "NOT_AUTHORIZED", hint: 'use auth: { token: "letmein" }' });
    expect(await serverEvent(server, "connect_error")).toMatchObject({ message: error.message });
  });

  it("is not on the main server: /events there is an invalid namespace", async () => {
    const socket = clients.socket(`${sandbox.http}/events`, { auth: { token: "letmein" } });
    const error = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
    expect(error.message).toBe("Invalid namespace");
  });

  it("the watcher needs a valid lab id", async () => {
    await expect(
      clients.connect(`${sandbox.http}/events-watch`, { auth: { lab: "no spaces" } }),
    ).rejects.toThrow(/^invalid lab id/);
  });
});

describe("/events: server-side events", () => {
  it("reports connection with the transport and rooms", async () => {
    const { lab, socket, server } = await openLab({ transports: ["websocket"] });
    expect(await serverEvent(server, "connection", socket.id)).toMatchObject({
      transport: "websocket",
      rooms: [socket.id, `lab:${lab}`],
      time: expect.any(String),
    });
  });

  it("reports the upgrade from polling to websocket", async () => {
    const { socket, server } = await openLab();
    expect(await serverEvent(server, "upgrade", socket.id)).toMatchObject({
      transport: "websocket",
    });
  });
});

describe("/events: each disconnect reason", () => {
  it("server-disconnect → io server disconnect; disconnecting still sees the rooms, disconnect does not", async () => {
    const { lab, socket, client, manager, server } = await openLab();
    const id = socket.id;
    expect(await socket.emitWithAck("server-disconnect")).toMatchObject({ ok: true });
    expect(await client.waitFor("disconnect")).toEqual(["io server disconnect", undefined]);
    expect(await serverEvent(server, "disconnecting", id)).toMatchObject({
      reason: "server namespace disconnect",
      rooms: [id, `lab:${lab}`],
    });
    expect(await serverEvent(server, "disconnect", id)).toMatchObject({
      reason: "server namespace disconnect",
      rooms: [],
    });
    expect(manager.events()).not.toContain("reconnect_attempt");
    expect(socket.active).toBe(false);
  });

  it("a client disconnect() → io client disconnect; the server sees client namespace disconnect", async () => {
    const { socket, client, server } = await openLab();
    const id = socket.id;
    socket.disconnect();
    expect(await client.waitFor("disconnect")).toEqual(["io client disconnect", undefined]);
    expect(await serverEvent(server, "disconnect", id)).toMatchObject({
      reason: "client namespace disconnect",
    });
  });

  it.each(["websocket", "polling"] as const)(
    "drop-transport over %s → transport close, then the Manager reconnects",
    async (transport) => {
      const { socket, client, manager, server } = await openLab({
        transports: [transport],
        reconnection: true,
        ...FAST_RECONNECT,
      });
      const id = socket.id;
      expect(await socket.emitWithAck("drop-transport")).toMatchObject({ ok: true, transport });
      const [reason] = await client.waitFor("disconnect");
      expect(reason).toBe("transport close");
      expect(await manager.waitFor("reconnect_attempt")).toEqual([1]);
      expect(await manager.waitFor("reconnect")).toEqual([1]);
      await client.waitFor(
        "connect",
        () => client.events().filter((e) => e === "connect").length === 2,
      );
      expect(socket.connected).toBe(true);
      expect(socket.id).not.toBe(id);
      // Polling is ended with Engine.IO's close packet, which the server logs as "forced close".
      expect(await serverEvent(server, "disconnect", id)).toMatchObject({
        reason: transport === "websocket" ? "transport close" : "forced close",
      });
      expect(await socket.emitWithAck("server-disconnect")).toMatchObject({ ok: true });
    },
  );

  it.each(["websocket", "polling"] as const)(
    "go-silent over %s → ping timeout after pingInterval + pingTimeout, then reconnect",
    async (transport) => {
      const { socket, client, manager } = await openLab({
        transports: [transport],
        reconnection: true,
        ...FAST_RECONNECT,
      });
      expect(await socket.emitWithAck("go-silent")).toEqual({
        ok: true,
        command: "go-silent",
        pingInterval: PING_INTERVAL,
        pingTimeout: PING_TIMEOUT,
        expectedWithinMs: PING_INTERVAL + PING_TIMEOUT,
      });
      const [reason] = await client.waitFor("disconnect");
      expect(reason).toBe("ping timeout");
      await manager.waitFor("reconnect");
      await client.waitFor(
        "connect",
        () => client.events().filter((e) => e === "connect").length === 2,
      );
      expect(socket.connected).toBe(true);
    },
  );

  it("refuse-reconnects → reconnect_error on each attempt, then reconnect_failed", async () => {
    const { lab, socket, client, manager, server } = await openLab({
      reconnection: true,
      reconnectionAttempts: 2,
      ...FAST_RECONNECT,
    });
    expect(await socket.emitWithAck("refuse-reconnects", { ms: 30_000 })).toEqual({
      ok: true,
      command: "refuse-reconnects",
      lab,
      ms: 30_000,
    });
    expect((await client.waitFor("disconnect"))[0]).toBe("transport close");
    await manager.waitFor("reconnect_failed");
    await manager.waitFor(
      "reconnect_error",
      () => manager.events().filter((e) => e === "reconnect_error").length === 2,
    );
    // socket.io-client emits reconnect_failed just before the last attempt's reconnect_error.
    expect(manager.events().filter((event) => event.startsWith("reconnect"))).toEqual([
      "reconnect_attempt",
      "reconnect_error",
      "reconnect_attempt",
      "reconnect_failed",
      "reconnect_error",
    ]);
    const [error] = (await manager.waitFor("reconnect_error")) as [
      Error & { description?: unknown },
    ];
    expect(error.message).toBe("xhr poll error");
    expect(error.description).toBe(403);
    expect(await serverEvent(server, "handshake-refused")).toMatchObject({ lab });
  });

  it("refuse-reconnects without a lab id is an error", async () => {
    const socket = await clients.connect(`${sandbox.http}/events`, {
      ...LAB,
      auth: { token: "letmein" },
    });
    expect(await socket.emitWithAck("refuse-reconnects", { ms: 10 })).toMatchObject({
      ok: false,
      error: { code: "NO_LAB_ID" },
    });
  });
});

describe("lab server defaults", () => {
  it("the real lab heartbeat is 2000 + 2000 ms, the main server's 25000 + 20000", async () => {
    const own = await startSandbox([createRealtimeFeature()], undefined);
    try {
      const open = async (path: string) => {
        const response = await fetch(`${own.http}${path}?EIO=4&transport=polling`);
        return JSON.parse((await response.text()).slice(1)) as Record<string, unknown>;
      };
      expect(await open("/socket.io-lab/")).toMatchObject({
        pingInterval: 2000,
        pingTimeout: 2000,
      });
      expect(await open("/socket.io/")).toMatchObject({ pingInterval: 25000, pingTimeout: 20000 });
    } finally {
      await own.server.close();
    }
  });
});
