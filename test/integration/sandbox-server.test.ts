import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { DEFAULT_MAX_PAYLOAD } from "../../sandbox-server/server.ts";
import {
  ROOT,
  closeEvent,
  nextMessage,
  openSocket,
  startSandbox,
  type RunningSandbox,
} from "../support/sandbox.ts";

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.server.close());

describe("HTTP", () => {
  it("answers /healthz with status ok", async () => {
    const response = await fetch(`${sandbox.http}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });

  it("serves the course home and lessons as HTML that revalidates", async () => {
    for (const path of ["/", "/lessons/what-is-a-websocket/"]) {
      const response = await fetch(`${sandbox.http}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("etag")).toBeTruthy();
    }
  });

  it("serves hashed assets with a long immutable cache and the right type", async () => {
    const html = await (await fetch(`${sandbox.http}/lessons/what-is-a-websocket/`)).text();
    const asset = html.match(/\/_astro\/[^"']+\.(?:js|css)/)?.[0];
    expect(asset, "the lesson references a hashed asset").toBeTruthy();
    const response = await fetch(`${sandbox.http}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/javascript|css/);
    expect(response.headers.get("cache-control")).toContain("immutable");
  });

  it("answers an unknown page with 404", async () => {
    const response = await fetch(`${sandbox.http}/no/such/page/`);
    expect(response.status).toBe(404);
  });
});

describe("/ws/echo", () => {
  it("echoes a text message as text", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/echo`);
    const reply = nextMessage(socket);
    socket.send("héllo, wire");
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(false);
    expect(data.toString("utf8")).toBe("héllo, wire");
    socket.close();
  });

  it("echoes a binary message as binary, byte for byte", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/echo`);
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    const reply = nextMessage(socket);
    socket.send(bytes);
    const { data, isBinary } = await reply;
    expect(isBinary).toBe(true);
    expect(Buffer.compare(data, bytes)).toBe(0);
    socket.close();
  });

  it("closes with 1009 when a message is over the payload limit", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/echo`);
    const closed = closeEvent(socket);
    socket.send(Buffer.alloc(DEFAULT_MAX_PAYLOAD + 1));
    expect((await closed).code).toBe(1009);
  });

  it("still echoes exactly at the payload limit", async () => {
    const socket = await openSocket(`${sandbox.ws}/ws/echo`);
    const reply = nextMessage(socket);
    socket.send(Buffer.alloc(DEFAULT_MAX_PAYLOAD, 7));
    expect((await reply).data.length).toBe(DEFAULT_MAX_PAYLOAD);
    socket.close();
  });
});

describe("/ws/push", () => {
  it("sends a text message within a second without any client message", async () => {
    const started = Date.now();
    const socket = new WebSocket(`${sandbox.ws}/ws/push`);
    const { data, isBinary } = await nextMessage(socket);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(isBinary).toBe(false);
    expect(JSON.parse(data.toString())).toMatchObject({ type: "hello", tick: 0 });
    socket.close();
  });
});

describe("upgrades", () => {
  it("answers an upgrade to an unknown path with HTTP 404 and closes the socket", async () => {
    const socket = new WebSocket(`${sandbox.ws}/ws/nowhere`);
    const [, response] = (await once(socket, "unexpected-response")) as [
      unknown,
      { statusCode: number; socket: { once: (e: string, f: () => void) => void } },
    ];
    expect(response.statusCode).toBe(404);
    await new Promise<void>((resolve) => response.socket.once("close", resolve));
  });
});

describe("shutdown", () => {
  it("closes open WebSockets with 1001 when the server closes", async () => {
    const own = await startSandbox(undefined, undefined);
    const socket = await openSocket(`${own.ws}/ws/echo`);
    const closed = closeEvent(socket);
    await own.server.close();
    expect((await closed).code).toBe(1001);
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s the process sends 1001 to its clients and exits 0",
    async (signal) => {
      const child = spawn(
        process.execPath,
        ["sandbox-server/main.ts", "--port", "0", "--no-site"],
        {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      let output = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = output.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
          if (match) resolve(`ws://127.0.0.1:${match[1]}`);
        });
        child.once("exit", () => reject(new Error(`server exited early:\n${output}`)));
      });
      const socket = await openSocket(`${url}/ws/push`);
      const closed = closeEvent(socket);
      const exited = once(child, "exit");
      child.kill(signal);
      expect((await closed).code).toBe(1001);
      const [code] = await exited;
      expect(code).toBe(0);
    },
  );
});
