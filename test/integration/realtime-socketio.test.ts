import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { createFeatures } from "../../sandbox-server/features.ts";
import { ROOT, startSandbox, type RunningSandbox } from "../support/sandbox.ts";
import { Clients, logSocket, refusedUpgrade, unique, type EventLog } from "./realtime-support.ts";

let sandbox: RunningSandbox;
const clients = new Clients();
beforeAll(async () => {
  sandbox = await startSandbox(createFeatures({ root: ROOT }), undefined);
});
afterEach(() => clients.closeAll());
afterAll(() => sandbox.server.close());

const XSS = "<img src=x onerror=alert(1)>";

/** Resolves once every packet the server wrote to `socket` before now has arrived (ordered transport). */
async function roundTrip(socket: Socket): Promise<void> {
  await socket.emitWithAck("leave", "never-joined");
}

describe("Socket.IO namespace /", () => {
  it("echo acknowledges with every argument it got, as an array", async () => {
    const socket = await clients.connect(sandbox.http);
    expect(await socket.emitWithAck("echo", "a", 1)).toEqual(["a", 1]);
    expect(await socket.emitWithAck("echo", { nested: [true, null] })).toEqual([
      { nested: [true, null] },
    ]);
    expect(await socket.emitWithAck("echo")).toEqual([]);
  });

  it("echo keeps binary as binary", async () => {
    const socket = await clients.connect(sandbox.http);
    const [bytes] = (await socket.emitWithAck("echo", Buffer.from([0, 1, 0xff]))) as [Buffer];
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect([...bytes]).toEqual([0, 1, 0xff]);
  });

  it("echo without an acknowledgement sends an echo event back", async () => {
    const socket = await clients.connect(sandbox.http);
    const reply = new Promise<unknown[]>((resolve) =>
      socket.once("echo", (...args: unknown[]) => resolve(args)),
    );
    socket.emit("echo", "x", 2);
    expect(await reply).toEqual(["x", 2]);
  });
});

describe("transports", () => {
  it("a polling-only client works and never upgrades", async () => {
    const socket = await clients.connect(sandbox.http, { transports: ["polling"] });
    expect(await socket.emitWithAck("echo", "over polling")).toEqual(["over polling"]);
    expect(socket.io.engine.transport.name).toBe("polling");
  });

  it("a websocket-only client works from the first request", async () => {
    const socket = await clients.connect(sandbox.http, { transports: ["websocket"] });
    expect(socket.io.engine.transport.name).toBe("websocket");
    expect(await socket.emitWithAck("echo", "over websocket")).toEqual(["over websocket"]);
  });

  it("a default client opens with polling and upgrades to websocket", async () => {
    const socket = clients.socket(sandbox.http);
    const upgraded = new Promise<string>((resolve) => {
      socket.io.on("open", () => {
        expect(socket.io.engine.transport.name).toBe("polling");
        socket.io.engine.once("upgrade", (transport: { name: string }) => resolve(transport.name));
      });
    });
    expect(await upgraded).toBe("websocket");
    expect(await socket.emitWithAck("echo", 1)).toEqual([1]);
  });

  it("a plain WebSocket with EIO=4&transport=websocket gets an Engine.IO open packet, not an echo", async () => {
    const socket = clients.webSocket(`${sandbox.ws}/socket.io/?EIO=4&transport=websocket`);
    const [data, isBinary] = await new Promise<[Buffer, boolean]>((resolve) =>
      socket.once("message", (message: Buffer, binary: boolean) => resolve([message, binary])),
    );
    expect(isBinary).toBe(false);
    const text = data.toString("utf8");
    expect(text[0]).toBe("0");
    expect(JSON.parse(text.slice(1))).toMatchObject({
      sid: expect.any(String),
      upgrades: [],
      pingInterval: 25000,
      pingTimeout: 20000,
      maxPayload: 64 * 1024,
    });
  });

  it("a plain WebSocket to /socket.io/ without EIO is refused with HTTP 400", async () => {
    const socket = clients.webSocket(`${sandbox.ws}/socket.io/`);
    const refused = await refusedUpgrade(socket);
    expect(refused.status).toBe(400);
    expect(refused.body).toBe("Transport unknown");
  });
});

describe("Socket.IO namespace /chat", () => {
  const chatUrl = () => `${sandbox.http}/chat`;
  const join = async (name: string, ...rooms: string[]) => {
    const socket = await clients.connect(chatUrl(), { auth: { name } });
    for (const room of rooms)
      expect(await socket.emitWithAck("join", room)).toMatchObject({ ok: true });
    return socket;
  };

  it("join and leave acknowledge with the rooms the socket is in", async () => {
    const [a, b] = [unique("room"), unique("room")];
    const socket = await clients.connect(chatUrl(), { auth: { name: "ada" } });
    expect(await socket.emitWithAck("join", a)).toEqual({ ok: true, room: a, rooms: [a] });
    expect(await socket.emitWithAck("join", b)).toEqual({ ok: true, room: b, rooms: [a, b] });
    expect(await socket.emitWithAck("leave", a)).toEqual({ ok: true, room: a, rooms: [b] });
  });

  it("takes the name from the query when auth has none, and makes one up when neither has", async () => {
    const room = unique("room");
    const listener = await join("listener", room);
    const named = await clients.connect(chatUrl(), { query: { name: "from query" } });
    const anonymous = await clients.connect(chatUrl());
    const received: unknown[] = [];
    listener.on("message", (message: unknown) => received.push(message));
    await named.emitWithAck("message", { room, text: "1" });
    await anonymous.emitWithAck("message", { room, text: "2" });
    await roundTrip(listener);
    expect(received).toMatchObject([
      { from: "from query", text: "1" },
      { from: expect.stringMatching(/^guest-[0-9a-f]{4}$/), text: "2" },
    ]);
  });

  it("message reaches every other socket in the room, not the sender, with room, from and time", async () => {
    const room = unique("room");
    const sender = await join("ada", room);
    const others = [await join("bob", room), await join("cy", room)];
    const senderLog = logSocket(sender);
    const received = others.map(
      (socket) => new Promise((resolve) => socket.once("message", resolve)),
    );
    expect(await sender.emitWithAck("message", { room, text: "hello room" })).toEqual({
      ok: true,
      room,
      recipients: 2,
    });
    for (const message of await Promise.all(received)) {
      expect(message).toEqual({ room, from: "ada", text: "hello room", time: expect.any(String) });
    }
    await roundTrip(sender);
    expect(senderLog.events()).not.toContain("message");
  });

  it("rooms isolate: a socket in room B gets nothing from room A", async () => {
    const [roomA, roomB] = [unique("a"), unique("b")];
    const sender = await join("ada", roomA);
    const inA = await join("bob", roomA);
    const inB = await join("cy", roomB);
    const logB = logSocket(inB);
    const delivered = new Promise((resolve) => inA.once("message", resolve));
    await sender.emitWithAck("message", { room: roomA, text: "only for A" });
    await sender.emitWithAck("broadcast", { scope: "room", room: roomA, text: "also only A" });
    await delivered;
    await roundTrip(inB);
    expect(logB.entries).toEqual([]);
  });

  it("an HTML payload arrives byte-identical, as inert data", async () => {
    const room = unique("room");
    const sender = await join("ada", room);
    const receiver = await join("bob", room);
    const received = new Promise<{ text: string }>((resolve) => receiver.once("message", resolve));
    await sender.emitWithAck("message", { room, text: XSS });
    const { text } = await received;
    expect(text).toBe(XSS);
    expect(Buffer.from(text)).toEqual(Buffer.from(XSS));
  });

  it("joins and leaves are announced to the others in the room as presence events", async () => {
    const room = unique("room");
    const watcher = await join("watcher", room);
    const log = logSocket(watcher);
    const other = await join("bob", room);
    await other.emitWithAck("leave", room);
    await roundTrip(watcher);
    expect(log.entries.map((entry) => entry.args[0])).toMatchObject([
      { event: "join", room, name: "bob" },
      { event: "leave", room, name: "bob" },
    ]);
  });

  it("refuses bad rooms, texts and names with a code and a message", async () => {
    const socket = await clients.connect(chatUrl(), { auth: { name: "ada" } });
    const invalidRoom = {
      ok: false,
      error: { code: "INVALID_ROOM", message: expect.stringContaining("1-32") },
    };
    expect(await socket.emitWithAck("join", "")).toEqual(invalidRoom);
    expect(await socket.emitWithAck("join", "x".repeat(33))).toEqual(invalidRoom);
    expect(await socket.emitWithAck("join", "<b>")).toEqual(invalidRoom);
    expect(await socket.emitWithAck("join", " padded")).toEqual(invalidRoom);
    expect(await socket.emitWithAck("join", 42)).toMatchObject({
      ok: false,
      error: { code: "INVALID_ROOM" },
    });
    expect(await socket.emitWithAck("join", socket.id)).toMatchObject({
      ok: false,
      error: { code: "ROOM_RESERVED" },
    });
    expect(await socket.emitWithAck("message", { room: "ok", text: "" })).toMatchObject({
      ok: false,
      error: { code: "INVALID_TEXT" },
    });
    expect(
      await socket.emitWithAck("message", { room: "ok", text: "x".repeat(2001) }),
    ).toMatchObject({
      ok: false,
      error: { code: "INVALID_TEXT" },
    });
    expect(await socket.emitWithAck("broadcast", { scope: "nobody", text: "x" })).toMatchObject({
      ok: false,
      error: { code: "INVALID_SCOPE" },
    });
    expect(
      await socket.emitWithAck("broadcast", { scope: "union", rooms: ["a"], text: "x" }),
    ).toMatchObject({
      ok: false,
      error: { code: "INVALID_ROOMS" },
    });

    const badName = clients.socket(chatUrl(), { auth: { name: "<script>" } });
    const error = await new Promise<Error & { data?: unknown }>((resolve) =>
      badName.once("connect_error", resolve),
    );
    expect(error.message).toMatch(/^invalid name/);
    expect(error.data).toEqual({ code: "INVALID_NAME" });
  });

  it("caps the rooms one socket may join", async () => {
    const socket = await clients.connect(chatUrl(), { auth: { name: "ada" } });
    for (let i = 0; i < 10; i += 1) await socket.emitWithAck("join", unique("many"));
    expect(await socket.emitWithAck("join", unique("many"))).toMatchObject({
      ok: false,
      error: { code: "TOO_MANY_ROOMS" },
    });
  });

  describe("broadcast reaches exactly the sockets of its scope", () => {
    let sockets: Record<"a" | "b" | "c" | "d", Socket>;
    let logs: Record<"a" | "b" | "c" | "d", EventLog>;
    let r1: string;
    let r2: string;

    afterEach(() => clients.closeAll());

    async function setUp() {
      r1 = unique("r1");
      r2 = unique("r2");
      // a and b in r1, c in r2, d in no room; a sends.
      sockets = {
        a: await join("a", r1),
        b: await join("b", r1),
        c: await join("c", r2),
        d: await join("d"),
      };
      logs = {
        a: logSocket(sockets.a),
        b: logSocket(sockets.b),
        c: logSocket(sockets.c),
        d: logSocket(sockets.d),
      };
    }

    const cases = [
      {
        scope: "all",
        rooms: () => ({}),
        expected: ["a", "b", "c", "d"],
        call: /^io\.of\("\/chat"\)\.emit/,
      },
      {
        scope: "others",
        rooms: () => ({}),
        expected: ["b", "c", "d"],
        call: /^socket\.broadcast\.emit/,
      },
      {
        scope: "room",
        rooms: () => ({ room: r1 }),
        expected: ["a", "b"],
        call: /^io\.of\("\/chat"\)\.to\(/,
      },
      { scope: "room-others", rooms: () => ({ room: r1 }), expected: ["b"], call: /^socket\.to\(/ },
      { scope: "except", rooms: () => ({ room: r1 }), expected: ["c", "d"], call: /\.except\(/ },
      {
        scope: "union",
        rooms: () => ({ rooms: [r1, r2] }),
        expected: ["a", "b", "c"],
        call: /\.to\(.*\)\.to\(/,
      },
    ] as const;

    it.each(cases)("$scope → $expected", async ({ scope, rooms, expected, call }) => {
      await setUp();
      const text = `${scope} ${XSS}`;
      const ack = await sockets.a.emitWithAck("broadcast", { scope, text, ...rooms() });
      expect(ack).toMatchObject({ ok: true, scope, call: expect.stringMatching(call) });
      for (const socket of Object.values(sockets)) await roundTrip(socket);
      const recipients = (Object.keys(logs) as (keyof typeof logs)[]).filter((key) =>
        logs[key].events().includes("broadcast"),
      );
      expect(recipients).toEqual(expected);
      for (const key of recipients) {
        const deliveries = logs[key].entries.filter((entry) => entry.event === "broadcast");
        expect(deliveries).toHaveLength(1);
        expect(deliveries[0].args[0]).toMatchObject({ scope, from: "a", text, call: ack.call });
      }
    });
  });
});
