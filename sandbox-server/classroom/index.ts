import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebSocket } from "ws";
import type { ServerFeature, UpgradeRefusal } from "../feature.ts";
import { HttpError, readJsonBody, sendJson } from "../http-json.ts";
import { ClassroomStore, type Student, type SubmissionRecord } from "./store.ts";

export interface ClassroomOptions {
  /** SQLite file (created with its folder), or ":memory:". */
  databasePath: string;
  /** The instructor's secret; random when omitted. */
  instructorToken?: string;
  /** Joins allowed per client address per minute (default 120: a class behind NAT shares one). */
  joinsPerMinute?: number;
}

/** What grading reports about one finished submission. */
export interface GradedSubmission {
  studentId: string;
  exercise: string;
  code: string;
  result: {
    status: "pass" | "fail" | "error";
    tests: { name: string; status: string; message?: string }[];
    message?: string;
    durationMs: number;
  };
}

export interface Classroom extends ServerFeature {
  readonly instructorToken: string;
  readonly store: ClassroomStore;
  /** The student behind a class credential (`<id>.<secret>`), if any. */
  studentFor(credential: string | undefined): Student | undefined;
  /** Records a graded submission and tells the dashboards. */
  recordSubmission(submission: GradedSubmission): void;
  /** Whether the instructor paused grading. */
  gradingPaused(): boolean;
}

const LESSON_ID = /^[a-z0-9-]{1,64}$/;
const MAX_ANNOUNCEMENT = 500;

/**
 * Class mode: students join with a nickname, their progress is kept in SQLite,
 * and the instructor watches a live dashboard, announces and exports results.
 */
export function createClassroom(options: ClassroomOptions): Classroom {
  const store = new ClassroomStore(options.databasePath);
  const instructorToken = options.instructorToken ?? randomBytes(18).toString("base64url");
  const joinsPerMinute = options.joinsPerMinute ?? 120;
  const joinsByAddress = new Map<string, number[]>();
  /** Open student sockets by student id: a student is online while one is open. */
  const studentSockets = new Map<string, Set<WebSocket>>();
  const dashboards = new Set<WebSocket>();
  let closed = false;

  const isInstructor = (token: string | undefined | null) => {
    if (!token) return false;
    const given = Buffer.from(token);
    const expected = Buffer.from(instructorToken);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  /** 401 without a token, 403 with a wrong one or from a foreign page. */
  const instructorRefusal = (
    request: IncomingMessage,
    token: string | null,
  ): UpgradeRefusal | undefined => {
    if (!sameOrigin(request)) return { status: 403, reason: "Forbidden" };
    if (!token) return { status: 401, reason: "Unauthorized" };
    if (!isInstructor(token)) return { status: 403, reason: "Forbidden" };
    return undefined;
  };

  const online = (studentId: string) => (studentSockets.get(studentId)?.size ?? 0) > 0;

  const studentView = (studentId: string) => {
    const progress = store.progress(studentId);
    if (!progress) return undefined;
    const { latestSubmission, ...rest } = progress;
    return {
      ...rest,
      online: online(studentId),
      latestSubmission: latestSubmission && summary(latestSubmission),
    };
  };

  const toDashboards = (message: unknown) => {
    const text = JSON.stringify(message);
    for (const socket of dashboards) socket.send(text);
  };

  const toStudents = (message: unknown) => {
    const text = JSON.stringify(message);
    for (const sockets of studentSockets.values()) for (const socket of sockets) socket.send(text);
  };

  const studentChanged = (studentId: string) => {
    if (dashboards.size > 0) toDashboards({ type: "student", student: studentView(studentId) });
  };

  const snapshot = () => ({
    type: "snapshot",
    students: store.students().map((student) => studentView(student.id)),
    passCounts: store.passCounts(),
    announcements: store.announcements(),
    gradingPaused: store.setting("gradingPaused") === "true",
  });

  const allowJoin = (address: string) => {
    const now = Date.now();
    const recent = (joinsByAddress.get(address) ?? []).filter((time) => now - time < 60_000);
    if (recent.length >= joinsPerMinute) return false;
    recent.push(now);
    joinsByAddress.set(address, recent);
    return true;
  };

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL) {
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /api/class") {
      sendJson(response, 200, {
        classMode: true,
        gradingPaused: store.setting("gradingPaused") === "true",
        announcements: store.announcements(),
      });
      return;
    }
    if (request.method !== "GET" && !sameOrigin(request)) {
      throw new HttpError(403, "cross-origin request refused");
    }
    if (route === "POST /api/class/join") {
      if (!allowJoin(request.socket.remoteAddress ?? "")) {
        throw new HttpError(429, "too many joins from this address: wait a minute");
      }
      const body = (await readJsonBody(request, 1024)) as { nickname?: unknown };
      if (typeof body?.nickname !== "string") throw new HttpError(400, "nickname is required");
      let joined;
      try {
        joined = store.join(body.nickname);
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
      studentChanged(joined.student.id);
      sendJson(response, 201, {
        student: { id: joined.student.id, nickname: joined.student.nickname },
        credential: `${joined.student.id}.${joined.secret}`,
      });
      return;
    }

    // Everything below is the instructor's.
    const bearer = request.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    if (!bearer) throw new HttpError(401, "instructor token required (Authorization: Bearer …)");
    if (!isInstructor(bearer)) throw new HttpError(403, "wrong instructor token");

    if (route === "GET /api/class/dashboard") {
      sendJson(response, 200, snapshot());
    } else if (route === "POST /api/class/announce") {
      const body = (await readJsonBody(request, 4096)) as { text?: unknown };
      const text = typeof body?.text === "string" ? body.text.trim() : "";
      if (!text || text.length > MAX_ANNOUNCEMENT) {
        throw new HttpError(400, `an announcement is 1–${MAX_ANNOUNCEMENT} characters`);
      }
      const announcement = store.announce(text);
      toStudents({ type: "announcement", announcement });
      toDashboards({ type: "announcement", announcement });
      sendJson(response, 201, announcement);
    } else if (route === "POST /api/class/grading") {
      const body = (await readJsonBody(request, 256)) as { paused?: unknown };
      if (typeof body?.paused !== "boolean")
        throw new HttpError(400, "paused must be true or false");
      store.setSetting("gradingPaused", String(body.paused));
      toStudents({ type: "grading", paused: body.paused });
      toDashboards({ type: "grading", paused: body.paused });
      sendJson(response, 200, { gradingPaused: body.paused });
    } else if (route === "GET /api/class/export.csv") {
      response.writeHead(200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="wirelab-results-${new Date().toISOString().slice(0, 10)}.csv"`,
        "cache-control": "no-store",
      });
      response.end(exportCsv(store));
    } else if (request.method === "GET" && url.pathname.startsWith("/api/class/students/")) {
      const id = decodeURIComponent(url.pathname.slice("/api/class/students/".length));
      const progress = store.progress(id);
      if (!progress) throw new HttpError(404, "no such student");
      sendJson(response, 200, { ...progress, online: online(id) });
    } else {
      throw new HttpError(404, `nothing at ${route}`);
    }
  }

  return {
    name: "classroom",
    instructorToken,
    store,

    async handleRequest(request, response, url) {
      if (url.pathname !== "/api/class" && !url.pathname.startsWith("/api/class/")) return false;
      try {
        await handleApi(request, response, url);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        sendJson(response, error.status, { error: error.message });
      }
      return true;
    },

    webSockets: {
      "/ws/class": {
        maxPayload: 4096,
        authorize: (request) =>
          sameOrigin(request) ? undefined : { status: 403, reason: "Forbidden" },
        onConnection(socket) {
          let student: Student | undefined;
          const hello = setTimeout(() => socket.close(1008, "say hello first"), 5000);
          socket.on("message", (data, isBinary) => {
            const message = parseMessage(data, isBinary);
            if (!message) return socket.close(1003, "expected a JSON object");
            if (!student) {
              clearTimeout(hello);
              student =
                message.type === "hello" ? authenticate(store, message.credential) : undefined;
              if (!student) return socket.close(1008, "unknown student: join again");
              const sockets = studentSockets.get(student.id) ?? new Set();
              sockets.add(socket);
              studentSockets.set(student.id, sockets);
              store.touch(student.id);
              socket.send(
                JSON.stringify({
                  type: "welcome",
                  student: { id: student.id, nickname: student.nickname },
                  announcements: store.announcements(),
                  gradingPaused: store.setting("gradingPaused") === "true",
                }),
              );
              studentChanged(student.id);
              return;
            }
            if (message.type === "visit" && LESSON_ID.test(String(message.lesson))) {
              store.recordVisit(student.id, String(message.lesson));
              studentChanged(student.id);
            } else if (
              message.type === "quiz" &&
              LESSON_ID.test(String(message.lesson)) &&
              Number.isInteger(message.score) &&
              Number.isInteger(message.total) &&
              (message.total as number) > 0 &&
              (message.score as number) >= 0 &&
              (message.score as number) <= (message.total as number)
            ) {
              store.recordQuiz(
                student.id,
                String(message.lesson),
                message.score as number,
                message.total as number,
              );
              studentChanged(student.id);
            }
          });
          socket.on("close", () => {
            clearTimeout(hello);
            if (!student || closed) return;
            const sockets = studentSockets.get(student.id);
            sockets?.delete(socket);
            if (sockets?.size === 0) studentSockets.delete(student.id);
            store.touch(student.id);
            studentChanged(student.id);
          });
        },
      },
      "/ws/instructor": {
        maxPayload: 1024,
        authorize: (request, url) => instructorRefusal(request, url.searchParams.get("token")),
        onConnection(socket) {
          dashboards.add(socket);
          socket.send(JSON.stringify(snapshot()));
          socket.on("close", () => dashboards.delete(socket));
        },
      },
    },

    studentFor: (credential) => authenticate(store, credential),

    recordSubmission({ studentId, exercise, code, result }) {
      if (!store.student(studentId)) return;
      store.recordSubmission({
        studentId,
        exercise,
        status: result.status,
        tests: result.tests.map(({ name, status, message }) => ({ name, status, message })),
        message: result.message,
        code,
        durationMs: result.durationMs,
      });
      studentChanged(studentId);
      if (dashboards.size > 0) toDashboards({ type: "passCounts", passCounts: store.passCounts() });
    },

    gradingPaused: () => store.setting("gradingPaused") === "true",

    describe: () => [`Class mode: progress kept in ${options.databasePath}`],

    async close() {
      closed = true;
      for (const sockets of studentSockets.values()) {
        for (const socket of sockets) socket.close(1001, "server shutting down");
      }
      for (const socket of dashboards) socket.close(1001, "server shutting down");
      store.close();
    },
  };
}

function authenticate(store: ClassroomStore, credential: unknown): Student | undefined {
  if (typeof credential !== "string") return undefined;
  const [id, secret] = credential.split(".");
  return id && secret ? store.authenticate(id, secret) : undefined;
}

/** A browser page may only call class endpoints from this server's own origin. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (!origin) return true; // not a browser page: command-line clients and tests
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function parseMessage(data: unknown, isBinary: boolean): Record<string, unknown> | undefined {
  if (isBinary) return undefined;
  try {
    const value = JSON.parse(String(data)) as unknown;
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function summary(submission: SubmissionRecord) {
  const { code: _code, ...rest } = submission;
  return rest;
}

/** One row per submission; cells quoted so commas, quotes and newlines survive. */
function exportCsv(store: ClassroomStore): string {
  const quote = (value: unknown) => `"${String(value ?? "").replace(/"/g, '""')}"`;
  // Text a student typed must not run as a spreadsheet formula (=, +, -, @ first).
  const inert = (text: string) => (/^[=+\-@]/.test(text) ? `'${text}` : text);
  const header = [
    "nickname",
    "student_id",
    "exercise",
    "status",
    "tests_passed",
    "tests_total",
    "duration_ms",
    "submitted_at",
  ];
  const rows = store
    .allSubmissions()
    .map((submission) => [
      inert(submission.nickname),
      submission.studentId,
      submission.exercise,
      submission.status,
      submission.tests.filter((test) => test.status === "pass").length,
      submission.tests.length,
      submission.durationMs,
      submission.at,
    ]);
  return [header, ...rows].map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n";
}
