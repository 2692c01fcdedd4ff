// The HTTP and WebSocket API of the grading feature, mounted the way the
// sandbox server mounts features: a plain node:http server calling
// handleRequest, upgrades for /ws/grade routed to a noServer `ws` server.
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { createGradingFeature } from "../../sandbox-server/grading/index.ts";
import { Grader } from "../../sandbox-server/grading/grader.ts";

let grader: Grader;
let server: Server;
let base: string;
let feature: ReturnType<typeof createGradingFeature>;

beforeAll(async () => {
  grader = await Grader.create({ concurrency: 1 });
  feature = createGradingFeature({ grader });
  const endpoint = feature.webSockets!["/ws/grade"];
  const wss = new WebSocketServer({ noServer: true, maxPayload: endpoint.maxPayload });
  server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    void Promise.resolve(feature.handleRequest!(request, response, url)).then((handled) => {
      if (!handled) {
        response.writeHead(404);
        response.end();
      }
    });
  });
  server.on("upgrade", (request, socket, head) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname !== "/ws/grade") return socket.destroy();
    wss.handleUpgrade(request, socket, head, (ws) => endpoint.onConnection(ws, request, url));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await feature?.close?.();
  await grader?.close();
});

const reference = () => grader.exercise("handshake-accept")!.reference;

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/grade`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("grading API", () => {
  test("GET /api/exercises lists every exercise with its starter solution.ts", async () => {
    const response = await fetch(`${base}/api/exercises`);
    expect(response.status).toBe(200);
    const exercises = (await response.json()) as Array<Record<string, unknown>>;
    expect(exercises.length).toBeGreaterThanOrEqual(12);
    const accept = exercises.find((e) => e.id === "handshake-accept")!;
    expect(accept.lesson).toBe("opening-handshake");
    expect(accept.title).toBeTypeOf("string");
    expect((accept.files as Record<string, string>)["solution.ts"]).toContain(
      "export function acceptKey",
    );
    expect(accept).not.toHaveProperty("reference");
  });

  test("GET /api/exercises/<id> includes the reference solution; unknown ids are 404", async () => {
    const one = await fetch(`${base}/api/exercises/frame-header`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { reference: string }).reference).toContain("parseFrameHeader");
    expect((await fetch(`${base}/api/exercises/nope`)).status).toBe(404);
  });

  test("POST /api/grade grades a passing solution", { timeout: 60_000 }, async () => {
    const response = await post({
      exercise: "handshake-accept",
      files: { "solution.ts": reference() },
      client: "api-pass",
    });
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      status: string;
      tests: unknown[];
      durationMs: number;
    };
    expect(result.status).toBe("pass");
    expect(result.tests.length).toBeGreaterThan(0);
    expect(result.durationMs).toBeTypeOf("number");
  });

  test(
    "POST /api/grade reports a syntax error as error with its line",
    { timeout: 60_000 },
    async () => {
      const response = await post({
        exercise: "handshake-accept",
        files: {
          "solution.ts": "export function acceptKey(key: string): string {\n  return key +;\n}\n",
        },
        client: "api-syntax",
      });
      const result = (await response.json()) as { status: string; message: string };
      expect(result.status).toBe("error");
      expect(result.message).toMatch(/line 2/);
    },
  );

  test("bad requests get JSON errors: 400 malformed, 404 unknown exercise, 413 too large", async () => {
    const malformed = await post("{not json");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toHaveProperty("error");
    expect((await post({ exercise: "handshake-accept", files: { "other.ts": "" } })).status).toBe(
      400,
    );
    expect(
      (await post({ exercise: "no-such-exercise", files: { "solution.ts": "" } })).status,
    ).toBe(404);
    const huge = await post({
      exercise: "handshake-accept",
      files: { "solution.ts": "x".repeat(400 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect((await fetch(`${base}/api/grade`)).status).toBe(405);
  });

  test(
    "a second submission from the same client while one is in flight gets 429",
    { timeout: 60_000 },
    async () => {
      const body = { exercise: "handshake-accept", files: { "solution.ts": reference() } };
      const first = post(body, { "x-wirelab-client": "api-twice" });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await post(body, { "x-wirelab-client": "api-twice" });
      expect(second.status).toBe(429);
      expect((await second.json()) as object).toHaveProperty("error");
      expect((await first).status).toBe(200);
    },
  );

  test(
    "/ws/grade reports the queue position, streams each test, then the result",
    { timeout: 60_000 },
    async () => {
      const sockets = [
        new WebSocket(`${base.replace("http", "ws")}/ws/grade`),
        new WebSocket(`${base.replace("http", "ws")}/ws/grade`),
      ];
      await Promise.all(sockets.map((s) => new Promise((resolve) => s.once("open", resolve))));
      const runs = sockets.map(
        (socket, index) =>
          new Promise<Array<{ type: string; position?: number }>>((resolve) => {
            const events: Array<{ type: string; position?: number }> = [];
            socket.on("message", (data) => {
              const event = JSON.parse(String(data));
              events.push(event);
              if (event.type === "result" || event.type === "error") resolve(events);
            });
            socket.send(
              JSON.stringify({
                type: "grade",
                exercise: "handshake-accept",
                files: { "solution.ts": reference() },
                client: `ws-${index}`,
              }),
            );
          }),
      );
      const [first, second] = await Promise.all(runs);
      for (const socket of sockets) socket.close();
      for (const events of [first, second]) {
        const types = events.map((e) => e.type);
        expect(types.at(-1)).toBe("result");
        expect(types.filter((t) => t === "test").length).toBe(4);
        expect(types.indexOf("started")).toBeLessThan(types.indexOf("test"));
      }
      // Concurrency 1: one of the two waited in the queue at position 1.
      expect([...first, ...second].some((e) => e.type === "queued" && e.position === 1)).toBe(true);
    },
  );

  test("describe() says which sandbox and limits are in force", () => {
    const lines = feature.describe!().join("\n");
    expect(lines).toMatch(/bubblewrap sandbox (yes|NO)/);
    expect(lines).toMatch(/cgroup (v1|v2|none)/);
  });
});

describe("without a sandbox", () => {
  test("refuses remote clients unless allowUnsafe, grades loopback clients", async () => {
    const unsandboxed = {
      ...grader,
      description: { ...grader.description, sandboxed: false },
    } as unknown as Grader;
    Object.setPrototypeOf(unsandboxed, Grader.prototype);
    const strict = createGradingFeature({ grader: unsandboxed });
    const fakeRequest = (remoteAddress: string) => {
      const request = new PassThrough() as PassThrough & Record<string, unknown>;
      Object.assign(request, { method: "POST", headers: {}, socket: { remoteAddress } });
      request.end(JSON.stringify({ exercise: "nope", files: { "solution.ts": "" } }));
      return request;
    };
    const answer = async (f: typeof strict, address: string) => {
      let status = 0;
      let body = "";
      const response = {
        setHeader() {},
        writeHead(code: number) {
          status = code;
        },
        end(text: string) {
          body = text;
        },
      };
      await f.handleRequest!(
        fakeRequest(address) as never,
        response as never,
        new URL("http://x/api/grade"),
      );
      return { status, body };
    };
    expect((await answer(strict, "192.168.1.20")).status).toBe(403);
    expect((await answer(strict, "192.168.1.20")).body).toMatch(/unsafe/);
    // Loopback passes the sandbox check (and then fails on the unknown exercise).
    expect((await answer(strict, "127.0.0.1")).status).toBe(404);
    const unsafe = createGradingFeature({ grader: unsandboxed, allowUnsafe: true });
    expect((await answer(unsafe, "192.168.1.20")).status).toBe(404);
    expect(strict.describe!().join("\n")).toMatch(/refused/);
  });
});
