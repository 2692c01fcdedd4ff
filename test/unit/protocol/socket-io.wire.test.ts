/**
 * Engine.IO / Socket.IO decoding of bytes captured from a real socket.io
 * server and socket.io-client talking through a loopback TCP tap.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { parseFrames } from "../../../src/protocol/frame-parser.ts";
import { concatBytes } from "../../../src/protocol/hex.ts";
import { SocketIoWireDecoder, type SocketIoWireEntry } from "../../../src/protocol/socket-io.ts";
import {
  chunksOf,
  splitHttpMessages,
  startTapProxy,
  type TapProxy,
  type TappedConnection,
} from "./helpers.ts";

interface Transcript {
  /** Polling bodies and WebSocket messages, per direction, in order. */
  client: SocketIoWireEntry[];
  server: SocketIoWireEntry[];
  pollingRequestBodies: string[];
  pollingResponseBodies: string[];
  websocketClient: Array<string | Uint8Array>;
  websocketServer: Array<string | Uint8Array>;
}

/** Decodes every tapped connection: HTTP polling bodies, then the WebSocket frames after a 101. */
function decodeCapture(connections: TappedConnection[]): Transcript {
  const transcript: Transcript = {
    client: [],
    server: [],
    pollingRequestBodies: [],
    pollingResponseBodies: [],
    websocketClient: [],
    websocketServer: [],
  };
  const clientDecoder = new SocketIoWireDecoder();
  const serverDecoder = new SocketIoWireDecoder();
  const text = new TextDecoder();
  for (const connection of connections) {
    const requests = splitHttpMessages(concatBytes(chunksOf(connection, "client")));
    const responses = splitHttpMessages(concatBytes(chunksOf(connection, "server")));
    for (const request of requests.messages) {
      if (request.body.length === 0) continue;
      const body = text.decode(request.body);
      transcript.pollingRequestBodies.push(body);
      transcript.client.push(...clientDecoder.decodePollingBody(body));
    }
    for (const response of responses.messages) {
      if (
        response.head.kind !== "response" ||
        response.head.status !== 200 ||
        response.body.length === 0
      )
        continue;
      const body = text.decode(response.body);
      transcript.pollingResponseBodies.push(body);
      transcript.server.push(...serverDecoder.decodePollingBody(body));
    }
    const upgraded = responses.messages.some(
      (message) => message.head.kind === "response" && message.head.status === 101,
    );
    if (!upgraded) continue;
    for (const [bytes, role, decoder, entries, raw] of [
      [requests.rest, "server", clientDecoder, transcript.client, transcript.websocketClient],
      [responses.rest, "client", serverDecoder, transcript.server, transcript.websocketServer],
    ] as const) {
      const parsed = parseFrames(bytes, { role });
      expect(parsed.error).toBeUndefined();
      for (const message of parsed.messages) {
        if (message.type !== "text" && message.type !== "binary") continue;
        const data = message.type === "text" ? (message.text as string) : message.data;
        raw.push(data);
        entries.push(decoder.decodeWebSocketMessage(data));
      }
    }
  }
  return transcript;
}

describe("Socket.IO captured on loopback", () => {
  let httpServer: HttpServer | undefined;
  let ioServer: Server | undefined;
  let proxy: TapProxy | undefined;
  const clients: Socket[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await new Promise<void>((resolve) => (ioServer ? ioServer.close(() => resolve()) : resolve()));
    await proxy?.close();
  });

  async function start(): Promise<number> {
    httpServer = createServer();
    ioServer = new Server(httpServer);
    ioServer.on("connection", (socket) => {
      socket.on("echo", (...args: unknown[]) => {
        const ack = args.pop() as (...values: unknown[]) => void;
        ack(...args);
      });
      socket.on("chat", (text: string) => socket.emit("chat", `you said ${text}`));
      socket.on("up", (data: Buffer, ack: (size: number) => void) => ack(data.length));
    });
    ioServer.of("/chat").on("connection", (socket) => socket.emit("welcome", "to /chat"));
    await new Promise<void>((resolve) => httpServer!.listen(0, "127.0.0.1", resolve));
    proxy = await startTapProxy((httpServer.address() as AddressInfo).port);
    return proxy.port;
  }

  async function closeAndDecode(client: Socket): Promise<Transcript> {
    const disconnected = new Promise<void>((resolve) => client.on("disconnect", () => resolve()));
    client.disconnect();
    await disconnected;
    await Promise.all(proxy!.connections.map((connection) => connection.closed));
    return decodeCapture(proxy!.connections);
  }

  it("decodes the polling handshake, the upgrade (2probe, 3probe, 5, noop), events, acks and a binary event", async () => {
    const port = await start();
    const client = io(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve) => client.on("connect", () => resolve()));
    await new Promise<void>((resolve) => client.io.engine.on("upgrade", () => resolve()));

    const reply = new Promise<string>((resolve) => client.once("chat", resolve));
    client.emit("chat", "hi");
    expect(await reply).toBe("you said hi");
    expect(await client.emitWithAck("echo", 1, "two")).toBe(1); // the ack callback receives the first argument
    expect(await client.emitWithAck("up", Buffer.from([1, 2, 3]))).toBe(3);

    const transcript = await closeAndDecode(client);

    // Polling: open packet, then CONNECT answered with the socket id.
    const open = transcript.server[0];
    expect(open.engineIo).toMatchObject({
      type: "open",
      open: { upgrades: ["websocket"], pingInterval: 25000, pingTimeout: 20000 },
    });
    expect(transcript.pollingRequestBodies[0]).toBe("40");
    expect(transcript.client[0].description).toBe(
      "Engine.IO message → Socket.IO CONNECT → connect to /",
    );
    expect(
      transcript.server.find((entry) => entry.socketIo?.type === "CONNECT")?.description,
    ).toMatch(/^Engine\.IO message → Socket\.IO CONNECT → connected, socket id /);

    // The upgrade: 2probe / 3probe / 5 over the WebSocket, a noop closing the pending poll.
    expect(transcript.websocketClient.slice(0, 2)).toEqual(["2probe", "5"]);
    expect(transcript.websocketServer[0]).toBe("3probe");
    expect(transcript.pollingResponseBodies).toContain("6");
    expect(transcript.server.some((entry) => entry.engineIo.type === "noop")).toBe(true);

    // Events and acks over the WebSocket.
    expect(transcript.websocketClient).toContain('42["chat","hi"]');
    expect(transcript.websocketServer).toContain('42["chat","you said hi"]');
    expect(transcript.client.map((entry) => entry.description)).toContain(
      "Engine.IO message → Socket.IO EVENT → event chat, args [hi]",
    );
    const echo = transcript.client.find(
      (entry) =>
        entry.socketIo?.type === "EVENT" && (entry.socketIo.data as unknown[])[0] === "echo",
    )!;
    expect(echo.socketIo).toMatchObject({ nsp: "/", data: ["echo", 1, "two"] });
    const echoId = echo.socketIo!.id!;
    expect(
      transcript.server.find(
        (entry) => entry.socketIo?.type === "ACK" && entry.socketIo.id === echoId,
      )?.socketIo?.data,
    ).toEqual([1, "two"]);

    // The binary event: a header with a placeholder, then the attachment as a binary frame.
    const headerIndex = transcript.websocketClient.findIndex(
      (raw) => typeof raw === "string" && raw.startsWith("451-"),
    );
    expect(transcript.websocketClient[headerIndex]).toMatch(
      /^451-\d+\["up",\{"_placeholder":true,"num":0\}\]$/,
    );
    expect(transcript.websocketClient[headerIndex + 1]).toEqual(new Uint8Array([1, 2, 3]));
    const binaryEvent = transcript.client.find((entry) => entry.socketIo?.type === "BINARY_EVENT")!;
    expect(binaryEvent.socketIo!.data).toEqual(["up", new Uint8Array([1, 2, 3])]);
    expect(binaryEvent.description).toBe(
      `Engine.IO message (binary, 3 bytes) → Socket.IO BINARY_EVENT → event up, args [<binary 3 bytes>], ack id ${binaryEvent.socketIo!.id} (the sender waits for an ACK), 1 binary attachment(s)`,
    );
  });

  it("decodes polling-only traffic: a namespace CONNECT and binary as b-prefixed base64", async () => {
    const port = await start();
    const manager = io(`http://127.0.0.1:${port}/chat`, {
      forceNew: true,
      reconnection: false,
      transports: ["polling"],
    });
    clients.push(manager);
    const welcome = new Promise<string>((resolve) => manager.on("welcome", resolve));
    await new Promise<void>((resolve) => manager.on("connect", () => resolve()));
    expect(await welcome).toBe("to /chat");
    const main = manager.io.socket("/");
    clients.push(main);
    await new Promise<void>((resolve) =>
      main.connected ? resolve() : main.on("connect", () => resolve()),
    );
    expect(await main.emitWithAck("up", Buffer.from([1, 2, 3]))).toBe(3);
    main.disconnect();
    const transcript = await closeAndDecode(manager);

    expect(transcript.websocketClient).toEqual([]);
    expect(transcript.pollingRequestBodies).toContain("40/chat,");
    expect(transcript.server.map((entry) => entry.description)).toContain(
      "Engine.IO message → Socket.IO EVENT → namespace /chat, event welcome, args [to /chat]",
    );
    // The attachment follows the header, in the same body or in the next POST.
    const packets = transcript.pollingRequestBodies.join("\x1e").split("\x1e");
    const headerIndex = packets.findIndex((packet) => packet.startsWith("451-"));
    const [header, attachment] = packets.slice(headerIndex, headerIndex + 2);
    expect(header).toMatch(/^451-\d+\["up",\{"_placeholder":true,"num":0\}\]$/);
    expect(attachment).toBe("bAQID");
    expect(
      transcript.client.find((entry) => entry.socketIo?.type === "BINARY_EVENT")?.socketIo?.data,
    ).toEqual(["up", new Uint8Array([1, 2, 3])]);
  });
});
