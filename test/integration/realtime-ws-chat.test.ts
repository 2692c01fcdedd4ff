import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createFeatures } from "../../sandbox-server/features.ts";
import { ROOT, startSandbox, type RunningSandbox } from "../support/sandbox.ts";
import { Clients, closed, logJson, nextJson, opened, unique } from "./realtime-support.ts";

let sandbox: RunningSandbox;
const clients = new Clients();
beforeAll(async () => {
  sandbox = await startSandbox(createFeatures({ root: ROOT }), undefined);
});
afterEach(() => clients.closeAll());
afterAll(() => sandbox.server.close());

const chatUrl = (room: string, name?: string) => {
  const query = new URLSearchParams({ room, ...(name === undefined ? {} : { name }) });
  return `${sandbox.ws}/ws/chat?${query}`;
};

/** Opens a chat client and waits for its welcome. */
async function member(room: string, name: string) {
  const socket = clients.webSocket(chatUrl(room, name));
  const welcome = nextJson(socket);
  await opened(socket);
  return { socket, welcome: await welcome, log: logJson(socket) };
}

/**
 * A barrier: a new member joins `room` and each log waits for its join notice. Once
 * that arrives, anything the server wrote to those members earlier has arrived too.
 */
async function barrier(room: string, ...logs: ReturnType<typeof logJson>[]) {
  const probe = await member(room, "barrier");
  for (const log of logs) {
    await log.waitFor("join", (message) => message.name === "barrier");
  }
  probe.socket.close();
}

describe("/ws/chat", () => {
  it("welcomes a member with the names already in the room", async () => {
    const room = unique("room");
    const first = await member(room, "ada");
    expect(first.welcome).toEqual({
      type: "welcome",
      room,
      name: "ada",
      members: [],
      time: expect.any(String),
    });
    const second = await member(room, "bob");
    expect(second.welcome).toMatchObject({ members: ["ada"] });
  });

  it("relays a text message to every other member, not the sender, verbatim", async () => {
    const room = unique("room");
    const sender = await member(room, "ada");
    const others = [await member(room, "bob"), await member(room, "cy")];
    const text = 'héllo "room" \n {json}';
    sender.socket.send(text);
    for (const other of others) {
      expect(await other.log.waitFor("message")).toEqual({
        type: "message",
        room,
        from: "ada",
        text,
        time: expect.any(String),
      });
    }
    await barrier(room, sender.log);
    expect(sender.log.events()).not.toContain("message");
  });

  it("an HTML payload arrives byte-identical, as inert data", async () => {
    const room = unique("room");
    const sender = await member(room, "ada");
    const receiver = await member(room, "bob");
    const payload = "<img src=x onerror=alert(1)>";
    sender.socket.send(payload);
    const message = await receiver.log.waitFor("message");
    expect(Buffer.from(message.text as string)).toEqual(Buffer.from(payload));
  });

  it("rooms isolate: a member of room B gets nothing from room A", async () => {
    const [roomA, roomB] = [unique("a"), unique("b")];
    const sender = await member(roomA, "ada");
    const inA = await member(roomA, "bob");
    const inB = await member(roomB, "cy");
    sender.socket.send("for A only");
    await inA.log.waitFor("message");
    await barrier(roomB, inB.log);
    expect(inB.log.events()).not.toContain("message");
  });

  it("announces joins and leaves to the others", async () => {
    const room = unique("room");
    const ada = await member(room, "ada");
    const bob = await member(room, "bob");
    expect(await ada.log.waitFor("join")).toMatchObject({ type: "join", room, name: "bob" });
    bob.socket.close();
    expect(await ada.log.waitFor("leave")).toMatchObject({ type: "leave", room, name: "bob" });
  });

  it("a member without a name gets a guest name", async () => {
    const socket = clients.webSocket(chatUrl(unique("room")));
    const welcome = nextJson(socket);
    expect((await welcome).name).toMatch(/^guest-[0-9a-f]{4}$/);
  });

  it.each([
    ["a missing room", `/ws/chat?name=ada`, "missing room"],
    ["an empty room", `/ws/chat?room=&name=ada`, "invalid room"],
    ["a room of 33 characters", `/ws/chat?room=${"x".repeat(33)}&name=ada`, "invalid room"],
    ["markup in the room", `/ws/chat?room=%3Cb%3E&name=ada`, "invalid room"],
    ["an empty name", `/ws/chat?room=ok&name=`, "invalid name"],
    ["markup in the name", `/ws/chat?room=ok&name=%3Cscript%3E`, "invalid name"],
  ])("closes with 1008 and a reason for %s", async (_case, path, reason) => {
    const socket = clients.webSocket(`${sandbox.ws}${path}`);
    const { code, reason: text } = await closed(socket);
    expect(code).toBe(1008);
    expect(text.startsWith(reason)).toBe(true);
    expect(text).toContain("1-32 characters");
  });

  it("closes with 1003 on a binary message", async () => {
    const { socket } = await member(unique("room"), "ada");
    const closing = closed(socket);
    socket.send(Buffer.from([1, 2, 3]));
    expect(await closing).toEqual({
      code: 1003,
      reason: "binary messages are not accepted: send text",
    });
  });

  it("closes with 1009 above the 16 KiB message limit", async () => {
    const { socket } = await member(unique("room"), "ada");
    const closing = closed(socket);
    socket.send("x".repeat(16 * 1024 + 1));
    expect((await closing).code).toBe(1009);
  });

  it("closes with 1001 when the server shuts down", async () => {
    const own = await startSandbox(createFeatures({ root: ROOT }), undefined);
    const socket = new WebSocket(`${own.ws}/ws/chat?room=r&name=ada`);
    await opened(socket);
    const closing = closed(socket);
    await own.server.close();
    expect((await closing).code).toBe(1001);
  });
});
