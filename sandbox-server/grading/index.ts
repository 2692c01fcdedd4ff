/**
 * The grading feature of the sandbox server:
 *
 * - `GET /api/exercises` → a JSON array of the exercises (id, title, lesson, difficulty,
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
import { HttpError, readJsonBody, sendJson } from "../http-json.ts";
import { GradeRejection, Grader } from "./grader.ts";
import type { GradeEvent, GraderOptions } from "./grader.ts";
import type { GradeResult } from "./results.ts";
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
  /**
   * Asked before each submission with the student's id (the `client` value):
   * a returned sentence refuses grading with 503 and that reason (class mode:
   * the instructor paused grading).
   */
  refusal?(client: string | undefined): string | undefined;
  /** Told about every graded submission (class mode records it). */
  onGraded?(submission: GradedSubmission): void;
}

export interface GradedSubmission {
  /** The `client` value the student sent, if any. */
  client: string | undefined;
  exercise: string;
  files: Record<string, string>;
  result: GradeResult;
}

const MAX_BODY_BYTES = PROTOCOL_LIMITS.submissionBytes;
const CLIENT_PATTERN = /^[\w.:@-]{1,100}$/;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function parseJson(input: unknown): Record<string, unknown> {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      throw new GradeRejection(400, "The request body must be JSON.");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GradeRejection(400, "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

function clientId(
  body: Record<string, unknown>,
  header: string | string[] | undefined,
  remote: string | undefined,
): string {
  const candidates = [body.client, Array.isArray(header) ? header[0] : header];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    if (typeof candidate !== "string" || !CLIENT_PATTERN.test(candidate)) {
      throw new GradeRejection(
        400,
        'The "client" id must be 1–100 letters, digits or ._:@- characters.',
      );
    }
    return `client:${candidate}`;
  }
  return `address:${remote ?? "unknown"}`;
}

export function createGradingFeature(
  options: GradingFeatureOptions = {},
): ServerFeature & { grader: Grader } {
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

  /** Grades one submission, after the host's checks, and reports the result. */
  async function grade(
    body: Record<string, unknown>,
    header: string | undefined,
    remote: string | undefined,
    onEvent?: (event: GradeEvent) => void,
  ): Promise<GradeResult> {
    checkSandbox(remote);
    const client = clientId(body, header, remote);
    const given = typeof body.client === "string" ? body.client : header;
    const refused = options.refusal?.(given);
    if (refused) throw new GradeRejection(503, refused);
    const files = body.files as Record<string, string>;
    const result = await grader.grade(
      { exercise: body.exercise as string, files, client },
      onEvent,
    );
    options.onGraded?.({ client: given, exercise: body.exercise as string, files, result });
    return result;
  }

  async function handleGrade(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      checkSandbox(request.socket.remoteAddress);
      const body = parseJson(await readJsonBody(request, MAX_BODY_BYTES));
      const header = request.headers["x-wirelab-client"];
      const result = await grade(
        body,
        Array.isArray(header) ? header[0] : header,
        request.socket.remoteAddress,
      );
      sendJson(response, 200, result);
    } catch (error) {
      if (error instanceof GradeRejection || error instanceof HttpError) {
        const status = error instanceof HttpError ? error.status : error.statusCode;
        sendJson(
          response,
          status,
          { error: error.message },
          status === 429 ? { "retry-after": "2" } : {},
        );
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
          if (Buffer.byteLength(text) > MAX_BODY_BYTES)
            throw new GradeRejection(413, "The message is too large.");
          checkSandbox(request.socket.remoteAddress);
          const body = parseJson(text);
          if (body.type !== undefined && body.type !== "grade")
            throw new GradeRejection(400, 'Unknown message type: send {"type":"grade", ...}.');
          const header =
            request.headers["x-wirelab-client"] ?? url.searchParams.get("client") ?? undefined;
          if (busy)
            throw new GradeRejection(429, "This connection already has a submission being graded.");
          busy = true;
          try {
            await grade(
              body,
              Array.isArray(header) ? header[0] : header,
              request.socket.remoteAddress,
              (event: GradeEvent) => send(event),
            );
          } finally {
            busy = false;
          }
        } catch (error) {
          if (error instanceof GradeRejection)
            send({ type: "error", status: error.statusCode, error: error.message });
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
          sendJson(
            response,
            200,
            grader.exercises.map((e) => exerciseSummary(e.id)),
          );
          return true;
        }
        const id = decodeURIComponent(url.pathname.slice("/api/exercises/".length));
        const exercise = grader.exercise(id);
        if (!exercise)
          sendJson(response, 404, { error: `Unknown exercise "${id.slice(0, 100)}".` });
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
