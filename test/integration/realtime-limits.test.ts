import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRealtimeFeature } from "../../sandbox-server/realtime/index.ts";
import { startSandbox, type RunningSandbox } from "../support/sandbox.ts";
import { Clients, closed, logSocket, opened, refusedUpgrade, unique } from "./realtime-support.ts";

const clients = new Clients();
afterEach(() => clients.closeAll());

describe("rate limit (5 messages at once, then 1 per second)", () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(
      [createRealtimeFeature({ messageBurst: 5, messagesPerSecond: 1 })],
      undefined,
    );
  });
  afterAll(() => sandbox.server.close());

  it("/ws/chat closes a flooding client with 1008 and keeps serving the others", async () => {
    const room = unique("room");
    const flooder = clients.webSocket(`${sandbox.ws}/ws/chat?room=${room}&name=flood`);
    const calm = clients.webSocket(`${sandbox.ws}/ws/chat?room=${room}&name=calm`);
    await Promise.all([opened(flooder), opened(calm)]);
    const closing = closed(flooder);
    for (let i = 0; i < 20; i += 1) flooder.send(`message ${i}`);
    expect(await closing).toEqual({
      code: 1008,
      reason: "rate limit: at most 5 messages at once, 1 per second",
    });

    const listener = clients.webSocket(`${sandbox.ws}/ws/chat?room=${room}&name=listener`);
    await opened(listener);
    const received = new Promise<string>((resolve) =>
      listener.on("message", (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type: string; text?: string };
        if (message.type === "message") resolve(message.text ?? "");
      }),
    );
    calm.send("still here");
    expect(await received).toBe("still here");
  });

  it("Socket.IO sends sandbox-error RATE_LIMIT, then disconnects the flooding socket only", async () => {
    const flooder = await clients.connect(sandbox.http);
    const calm = await clients.connect(sandbox.http);
    const log = logSocket(flooder);
    const acks = Array.from({ length: 20 }, (_, i) =>
      flooder
        .timeout(5000)
        .emitWithAck("echo", i)
        .catch(() => "no ack"),
    );
    expect(await log.waitFor("sandbox-error")).toEqual([
      { code: "RATE_LIMIT", message: "rate limit: at most 5 messages at once, 1 per second" },
    ]);
    expect(await log.waitFor("disconnect")).toEqual(["io server disconnect", undefined]);
    expect((await Promise.all(acks)).slice(0, 5)).toEqual([[0], [1], [2], [3], [4]]);
    expect(await calm.emitWithAck("echo", "fine")).toEqual(["fine"]);
  });

  it("Socket.IO refuses an event above maxHttpBufferSize by closing the connection", async () => {
    const socket = await clients.connect(sandbox.http, { transports: ["websocket"] });
    const log = logSocket(socket);
    socket.emit("echo", "x".repeat(64 * 1024 + 1));
    expect(await log.waitFor("disconnect")).toEqual([
      "transport close",
      expect.objectContaining({
        description: "websocket connection closed",
        context: expect.objectContaining({ code: 1009 }),
      }),
    ]);
  });
});

describe("per-IP connection cap (3)", () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox([createRealtimeFeature({ maxConnectionsPerIp: 3 })], undefined);
  });
  afterAll(() => sandbox.server.close());

  it("counts /ws/chat and both transports of Socket.IO together, refuses the next with 429", async () => {
    const existing = [
      await clients.connect(sandbox.http, { transports: ["polling"] }),
      await clients.connect(sandbox.http, { transports: ["websocket"] }),
    ];
    const chat = clients.webSocket(`${sandbox.ws}/ws/chat?room=r&name=ada`);
    await opened(chat);

    const refusedChat = await refusedUpgrade(
      clients.webSocket(`${sandbox.ws}/ws/chat?room=r&name=bob`),
    );
    expect(refusedChat.status).toBe(429);
    expect(refusedChat.headers["x-wirelab-error"]).toBe("TOO_MANY_CONNECTIONS");
    expect(refusedChat.body).toBe(
      "429 Too Many Requests: too many connections from 127.0.0.1: at most 3 at once; close one and retry\n",
    );

    const polling = clients.connect(sandbox.http, { transports: ["polling"] });
    await expect(polling).rejects.toMatchObject({ message: "xhr poll error", description: 429 });
    const websocket = clients.connect(sandbox.http, { transports: ["websocket"] });
    await expect(websocket).rejects.toMatchObject({ message: "websocket error" });

    // The sandbox keeps serving: the connections already open, and other addresses.
    expect(await existing[1].emitWithAck("echo", "still served")).toEqual(["still served"]);
    const elsewhere = clients.webSocket(`${sandbox.ws}/ws/chat?room=r&name=cy`, {
      localAddress: "127.0.0.2",
    });
    await opened(elsewhere);
  });
});

describe("Origin check", () => {
  let open: RunningSandbox;
  let listed: RunningSandbox;
  beforeAll(async () => {
    open = await startSandbox([createRealtimeFeature()], undefined);
    listed = await startSandbox(
      [createRealtimeFeature({ originAllowlist: ["https://class.example"] })],
      undefined,
    );
  });
  afterAll(async () => {
    await open.server.close();
    await listed.server.close();
  });

  const chat = (sandbox: RunningSandbox, origin?: string) =>
    clients.webSocket(`${sandbox.ws}/ws/chat?room=r&name=ada`, origin ? { origin } : {});

  it("by default allows no Origin, the request's own host and localhost", async () => {
    await opened(chat(open));
    await opened(chat(open, `http://127.0.0.1:${open.port}`));
    await opened(chat(open, "http://localhost:4321"));
  });

  it("by default refuses another site with 403 on /ws/chat and on Socket.IO", async () => {
    const refused = await refusedUpgrade(chat(open, "https://evil.example"));
    expect(refused.status).toBe(403);
    expect(refused.body).toBe(
      '403 Forbidden: origin "https://evil.example" is not allowed to connect\n',
    );
    const headers = { extraHeaders: { origin: "https://evil.example" } };
    await expect(
      clients.connect(open.http, { transports: ["polling"], ...headers }),
    ).rejects.toMatchObject({
      description: 403,
    });
    await expect(
      clients.connect(open.http, { transports: ["websocket"], ...headers }),
    ).rejects.toMatchObject({
      message: "websocket error",
    });
    const response = await fetch(`${open.http}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'origin "https://evil.example" is not allowed to connect',
      code: "ORIGIN_NOT_ALLOWED",
    });
  });

  it("with an allowlist accepts only the listed origins", async () => {
    await opened(chat(listed, "https://class.example"));
    expect((await refusedUpgrade(chat(listed, "http://localhost:4321"))).status).toBe(403);
    await clients.connect(`${listed.http}/chat`, {
      transports: ["websocket"],
      extraHeaders: { origin: "https://class.example" },
    });
  });
});
