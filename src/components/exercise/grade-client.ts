/**
 * Talks to the sandbox server's grader: WebSocket `/ws/grade` (per-test
 * results streamed as they finish, queue position while waiting), falling
 * back to `POST /api/grade` when the socket cannot be opened. Shapes follow
 * DESIGN.md "Exercises and grading"; incoming messages are normalised so the
 * view never depends on one spelling (see docs/exercise-view.md).
 */
import { sandboxUrl } from "../sandbox.ts";

export type GradeStatus = "pass" | "fail" | "error";

export interface TestResult {
  name: string;
  status: "pass" | "fail" | "skip";
  message?: string;
  expected?: string;
  actual?: string;
}

export interface GradeResult {
  status: GradeStatus;
  tests: TestResult[];
  /** Why nothing could run (status `error`), or a note about the run. */
  message?: string;
  durationMs?: number;
  /** Console output of the solution and tests (capped by the grader). */
  output?: string;
  /** What kind of error, when the grader says (`syntax`, `timeout`, `memory`…). */
  kind?: string;
  /** 1-based line in solution.ts the error points at, when known. */
  line?: number;
  column?: number;
}

export type GradeEvent =
  | { type: "queued"; position: number }
  | { type: "started" }
  | { type: "test"; test: TestResult }
  | { type: "result"; result: GradeResult };

/** A request the grader refused (unknown exercise, too large, too many) or could not take. */
export class GradeRequestError extends Error {
  readonly status: number | undefined;
  /** True when no grader answers at all (static host, server without grading). */
  readonly unreachable: boolean;
  constructor(message: string, options: { status?: number; unreachable?: boolean } = {}) {
    super(message);
    this.name = "GradeRequestError";
    this.status = options.status;
    this.unreachable = options.unreachable ?? false;
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const optionalString = (value: unknown): string | undefined =>
  value === undefined || value === null
    ? undefined
    : typeof value === "string"
      ? value
      : JSON.stringify(value, null, 2);

const optionalNumber = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

export function normaliseTest(raw: unknown): TestResult | undefined {
  if (!isObject(raw) || typeof raw.name !== "string") return undefined;
  const status = raw.status === "pass" || raw.status === "skip" ? raw.status : "fail";
  return {
    name: raw.name,
    status,
    message: optionalString(raw.message),
    expected: optionalString(raw.expected),
    actual: optionalString(raw.actual ?? raw.received),
  };
}

export function normaliseResult(raw: unknown): GradeResult | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.status !== "pass" && raw.status !== "fail" && raw.status !== "error") return undefined;
  const tests = Array.isArray(raw.tests)
    ? raw.tests.map(normaliseTest).filter((test): test is TestResult => Boolean(test))
    : [];
  const error = isObject(raw.error) ? raw.error : {};
  return {
    status: raw.status,
    tests,
    message: optionalString(raw.message ?? error.message),
    durationMs: optionalNumber(raw.durationMs),
    output: optionalString(raw.output),
    kind: optionalString(raw.kind ?? raw.reason ?? error.kind ?? error.code),
    line: optionalNumber(raw.line ?? error.line),
    column: optionalNumber(raw.column ?? error.column),
  };
}

/**
 * One message of `/ws/grade` as a `GradeEvent`; undefined for messages the
 * view does not need. Throws `GradeRequestError` for a refusal.
 */
export function normaliseGradeMessage(raw: unknown): GradeEvent | undefined {
  if (!isObject(raw)) return undefined;
  const type = typeof raw.type === "string" ? raw.type : undefined;
  switch (type) {
    case "queued":
    case "queue":
    case "position": {
      const position = optionalNumber(raw.position ?? raw.ahead);
      return position === undefined ? undefined : { type: "queued", position };
    }
    case "started":
    case "start":
    case "running":
      return { type: "started" };
    case "test":
    case "test-result": {
      const test = normaliseTest(raw.test ?? raw);
      return test && { type: "test", test };
    }
    case "result":
    case "done":
    case "graded":
    case "complete": {
      const result = normaliseResult(raw.result ?? raw);
      return result && { type: "result", result };
    }
    case "error": {
      // A run that could not execute is a result with status "error"; a refused request is not.
      const result = normaliseResult(raw.result ?? raw);
      if (result) return { type: "result", result };
      // A refusal: `{"type":"error","status":429,"error":"…"}` (status is HTTP-like).
      throw new GradeRequestError(optionalString(raw.error ?? raw.message) ?? "Grading failed.", {
        status: optionalNumber(raw.status ?? raw.code),
      });
    }
    default: {
      if (type === undefined && typeof raw.error === "string") {
        throw new GradeRequestError(raw.error, { status: optionalNumber(raw.code) });
      }
      const result = type === undefined ? normaliseResult(raw) : undefined;
      return result && { type: "result", result };
    }
  }
}

export interface GradeRequest {
  exercise: string;
  files: Record<string, string>;
}

/** Grades over `/ws/grade`, or over `POST /api/grade` when the socket cannot open. */
export async function grade(
  request: GradeRequest,
  onEvent: (event: GradeEvent) => void,
): Promise<GradeResult> {
  try {
    return await gradeOverSocket(request, onEvent);
  } catch (error) {
    if (error instanceof SocketUnavailable) return gradeOverHttp(request, onEvent);
    throw error;
  }
}

class SocketUnavailable extends Error {}

function gradeOverSocket(
  request: GradeRequest,
  onEvent: (event: GradeEvent) => void,
): Promise<GradeResult> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(sandboxUrl("/ws/grade", "ws"));
    let opened = false;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
      if (socket.readyState <= WebSocket.OPEN) socket.close(1000);
    };
    socket.addEventListener("open", () => {
      opened = true;
      socket.send(JSON.stringify({ type: "grade", ...request }));
    });
    socket.addEventListener("message", (message) => {
      if (typeof message.data !== "string") return;
      try {
        const event = normaliseGradeMessage(JSON.parse(message.data));
        if (!event) return;
        if (event.type === "result") finish(() => resolve(event.result));
        else onEvent(event);
      } catch (error) {
        finish(() =>
          reject(
            error instanceof GradeRequestError
              ? error
              : new GradeRequestError("The grader sent a message this page could not read."),
          ),
        );
      }
    });
    socket.addEventListener("error", () => {
      if (!opened) finish(() => reject(new SocketUnavailable()));
    });
    socket.addEventListener("close", (event) => {
      if (!opened) finish(() => reject(new SocketUnavailable()));
      else
        finish(() =>
          reject(
            new GradeRequestError(
              event.reason
                ? `The grader closed the connection: ${event.reason}`
                : "The connection to the grader closed before the result arrived. Try again.",
              { status: event.code },
            ),
          ),
        );
    });
  });
}

async function gradeOverHttp(
  request: GradeRequest,
  onEvent: (event: GradeEvent) => void,
): Promise<GradeResult> {
  onEvent({ type: "started" });
  let response: Response;
  try {
    response = await fetch(sandboxUrl("/api/grade"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
  } catch {
    throw new GradeRequestError("The sandbox server can't be reached.", { unreachable: true });
  }
  const body: unknown = await response.json().catch(() => undefined);
  const result = response.ok ? normaliseResult(body) : undefined;
  if (result) {
    for (const test of result.tests) onEvent({ type: "test", test });
    return result;
  }
  const message = isObject(body) ? optionalString(body.error ?? body.message) : undefined;
  if (response.status === 404 && !message) {
    throw new GradeRequestError("This server does not grade exercises.", {
      status: 404,
      unreachable: true,
    });
  }
  throw new GradeRequestError(message ?? `The grader answered HTTP ${response.status}.`, {
    status: response.status,
  });
}
