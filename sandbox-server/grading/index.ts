/**
 * The grading feature of the sandbox server:
 *
 * - `GET /api/exercises` → the exercise list (id, title, lesson, difficulty,
 *   summary, instructions, hints, test names, `files` with the starter);
 * - `GET /api/exercises/<id>` → one exercise, with its `reference` solution;
 * - `POST /api/grade` `{"exercise", "files": {"solution.ts"}, "client"?}` →
 *   `{"status","tests","message"?,"durationMs"}`; JSON errors `{"error"}`
 *   with 400 malformed, 403 no sandbox for a remote client, 404 unknown
 *   exercise, 413 too large, 429 busy / already grading;
 * - WebSocket `/ws/grade`: send the same JSON (optionally `"type":"grade"`),
 *   receive `queued` (position), `started`, one `test` per finished test, then
 *   `result`; or `error` with the HTTP-like `status`.
 *
 * "The student" for the one-submission-in-flight rule is the `client` field,
 * else the `x-wirelab-client` header (or `?client=` on the WebSocket URL),
 * else the remote address.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebSocket } from "ws";
import type { ServerFeature } from "../feature.ts";
import { GradeRejection, Grader } from "./grader.ts";
import type { GradeEvent, GraderOptions } from "./grader.ts";
import { PROTOCOL_LIMITS } from "./runtime/protocol.ts";

export type { GradeEvent, GraderOptions } from "./grader.ts";
export type { GradeResult, GradeStatus, TestResult } from "./results.ts";
export { Grader, GradeRejection } from "./grader.ts";

export interface GradingFeatureOptions extends GraderOptions {
  /**
   * Grade submissions from non-loopback clients even without a sandbox.
   * Default `false`: without bubblewrap only `127.0.0.1`/`::1` are graded.
   */
  allowUnsafe?: boolean;
  /** Use this grader instead of creating one (tests, benchmarks). */
  grader?: Grader;
}

const MAX_BODY_BYTES = PROTOCOL_LIMITS.submissionBytes;
const CLIENT_PATTERN = /^[\w.:@-]{1,100}$/;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  response.end(text);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(new GradeRejection(413, `The request is too large (limit ${limit / 1024} KiB).`));
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let rejected = false;
    request.on("data", (chunk: Buffer) => {
      if (rejected) return;
      size += chunk.length;
      if (size > limit) {
        rejected = true;
        reject(new GradeRejection(413, `The request is too large (limit ${limit / 1024} KiB).`));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!rejected) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    request.on("error", reject);
  });
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GradeRejection(400, "The request body must be JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GradeRejection(400, "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

function clientId(body: Record<string, unknown>, header: string | string[] | undefined, remote: string | undefined): string {
  const candidates = [body.client, Array.isArray(header) ? header[0] : header];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    if (typeof candidate !== "string" || !CLIENT_PATTERN.test(candidate)) {
      throw new GradeRejection(400, 'The "client" id must be 1–100 letters, digits or ._:@- characters.');
    }
    return `client:${candidate}`;
  }
  return `address:${remote ?? "unknown"}`;
}

export function createGradingFeature(options: GradingFeatureOptions = {}): ServerFeature & { grader: Grader } {
  const grader = options.grader ?? new Grader(options);
  const ownsGrader = !options.grader;
  const allowUnsafe = options.allowUnsafe ?? false;

  function checkSandbox(remote: string | undefined): void {
    if (!grader.description.sandboxed && !allowUnsafe && !isLoopback(remote)) {
      throw new GradeRejection(
        403,
        "Grading is disabled for remote clients: this server has no sandbox (bubblewrap) and was not started with the unsafe flag.",
      );
    }
  }

  function exerciseSummary(id: string) {
    const e = grader.exercise(id)!;
    return {
      id: e.id,
      title: e.title,
      lesson: e.lesson,
      difficulty: e.difficulty,
      order: e.order,
      summary: e.summary,
      instructions: e.instructions,
      hints: e.hints,
      tests: grader.testsOf(e.id),
      files: { "solution.ts": e.starter },
    };
  }

  async function handleGrade(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      checkSandbox(request.socket.remoteAddress);
      const body = parseJson(await readBody(request, MAX_BODY_BYTES));
      const client = clientId(body, request.headers["x-wirelab-client"], request.socket.remoteAddress);
      const result = await grader.grade({ exercise: body.exercise as string, files: body.files as Record<string, string>, client });
      sendJson(response, 200, result);
    } catch (error) {
      if (error instanceof GradeRejection) {
        if (error.statusCode === 429) response.setHeader("retry-after", "2");
        sendJson(response, error.statusCode, { error: error.message });
      } else {
        sendJson(response, 500, { error: "The grader failed unexpectedly." });
        console.error("grading:", error);
      }
    }
  }

  function onGradeSocket(socket: WebSocket, request: IncomingMessage, url: URL): void {
    let busy = false;
    const send = (message: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    socket.on("message", (data, isBinary) => {
      void (async () => {
        try {
          if (isBinary) throw new GradeRejection(400, "Send JSON text messages.");
          const text = data.toString();
          if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new GradeRejection(413, "The message is too large.");
          checkSandbox(request.socket.remoteAddress);
          const body = parseJson(text);
          if (body.type !== undefined && body.type !== "grade") throw new GradeRejection(400, 'Unknown message type: send {"type":"grade", ...}.');
          const header = request.headers["x-wirelab-client"] ?? url.searchParams.get("client") ?? undefined;
          const client = clientId(body, header, request.socket.remoteAddress);
          if (busy) throw new GradeRejection(429, "This connection already has a submission being graded.");
          busy = true;
          try {
            await grader.grade({ exercise: body.exercise as string, files: body.files as Record<string, string>, client }, (event: GradeEvent) =>
              send(event),
            );
          } finally {
            busy = false;
          }
        } catch (error) {
          if (error instanceof GradeRejection) send({ type: "error", status: error.statusCode, error: error.message });
          else {
            send({ type: "error", status: 500, error: "The grader failed unexpectedly." });
            console.error("grading:", error);
          }
        }
      })();
    });
  }

  return {
    name: "grading",
    grader,
    async handleRequest(request, response, url) {
      if (url.pathname === "/api/exercises" || url.pathname.startsWith("/api/exercises/")) {
        if (request.method !== "GET" && request.method !== "HEAD") {
          sendJson(response, 405, { error: "Use GET." });
          return true;
        }
        await grader.ready.catch(() => {});
        if (url.pathname === "/api/exercises") {
          sendJson(response, 200, { exercises: grader.exercises.map((e) => exerciseSummary(e.id)) });
          return true;
        }
        const id = decodeURIComponent(url.pathname.slice("/api/exercises/".length));
        const exercise = grader.exercise(id);
        if (!exercise) sendJson(response, 404, { error: `Unknown exercise "${id.slice(0, 100)}".` });
        else sendJson(response, 200, { ...exerciseSummary(id), reference: exercise.reference });
        return true;
      }
      if (url.pathname === "/api/grade") {
        if (request.method !== "POST") {
          sendJson(response, 405, { error: "Use POST with a JSON body." });
          return true;
        }
        await handleGrade(request, response);
        return true;
      }
      return false;
    },
    webSockets: {
      "/ws/grade": { maxPayload: MAX_BODY_BYTES, onConnection: onGradeSocket },
    },
    describe() {
      const lines = grader.describe();
      if (!grader.description.sandboxed) {
        lines.push(
          allowUnsafe
            ? "grading: UNSAFE flag set: remote clients' code runs without a sandbox"
            : "grading: remote clients are refused (403) until bubblewrap is available or the unsafe flag is set",
        );
      }
      return lines;
    },
    async close() {
      if (ownsGrader) await grader.close();
    },
  };
}
