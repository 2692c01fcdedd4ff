/**
 * Class mode under load, on loopback:
 *   node bench/class-load.ts [--students 300] [--announcements 20] [--submissions 60]
 *
 * The class server runs in a child process (as with `npm start -- --class`:
 * the same features, a fresh SQLite file in a temp folder); the simulated
 * students here are real `ws` clients that join through `POST /api/class/join`
 * and say hello on `/ws/class`, like the page does. Measured:
 *   1. server memory per connected student (RSS and JS heap after a GC, read
 *      in the server process over the IPC channel);
 *   2. time for an announcement to reach every student (p50/p99 over N);
 *   3. what the instructor's dashboard socket receives while M graded
 *      submissions are recorded through `classroom.recordSubmission` (what
 *      grading calls), in a burst and paced like a busy grader;
 *   4. the same with real grading: M students submit at once through
 *      `POST /api/grade` (each in its own bubblewrap sandbox, as in class),
 *      while the dashboard receives every result as it is graded.
 * Bounded: gives up after --deadline seconds (default 180). Results and the
 * command are in docs/class-mode.md.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";

const TOKEN = "bench-instructor-token";

const { values } = parseArgs({
  options: {
    serve: { type: "boolean", default: false },
    students: { type: "string", default: "300" },
    announcements: { type: "string", default: "20" },
    submissions: { type: "string", default: "60" },
    deadline: { type: "string", default: "180" },
  },
});

/** What the parent asks the server process. */
type Request =
  | { type: "memory" }
  | { type: "record"; studentIds: string[]; intervalMs: number }
  | { type: "exit" };

if (values.serve) await serve();
else await runBenchmark();

/** The class server (child process): answers memory and recording requests over IPC. */
async function serve(): Promise<void> {
  const { createClassroom } = await import("../sandbox-server/classroom/index.ts");
  const { createFeatures } = await import("../sandbox-server/features.ts");
  const { createSandboxServer } = await import("../sandbox-server/server.ts");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const folder = mkdtempSync(join(tmpdir(), "wirelab-class-bench-"));
  const classroom = createClassroom({
    databasePath: join(folder, "class.sqlite"),
    instructorToken: TOKEN,
    joinsPerMinute: 100_000, // every simulated student comes from 127.0.0.1
  });
  const server = createSandboxServer({
    features: createFeatures({ root, classroom, grading: {} }),
  });
  const port = await server.listen(0, "127.0.0.1");

  process.on("message", async (request: Request) => {
    if (request.type === "memory") {
      for (let i = 0; i < 3; i++) {
        globalThis.gc?.();
        await sleep(50);
      }
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      process.send!({ rss, heapUsed, external, arrayBuffers });
    } else if (request.type === "record") {
      const started = performance.now();
      for (const [index, studentId] of request.studentIds.entries()) {
        // Two in three pass; the rest fail one test, as a real class would.
        const pass = index % 3 !== 2;
        classroom.recordSubmission({
          studentId,
          exercise: ["echo-server", "broadcast-chat", "heartbeat"][index % 3],
          code: "export function handle(ws) {\n  ws.on('message', (data) => ws.send(data));\n}\n",
          result: {
            status: pass ? "pass" : "fail",
            tests: [
              { name: "echoes text", status: "pass" },
              { name: "echoes binary", status: pass ? "pass" : "fail", message: "got text" },
            ],
            durationMs: 900,
          },
        });
        if (request.intervalMs > 0) await sleep(request.intervalMs);
      }
      process.send!({ recordMs: performance.now() - started });
    } else if (request.type === "exit") {
      await server.close();
      rmSync(folder, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send!({ port, pid: process.pid });
}

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

async function runBenchmark(): Promise<void> {
  const studentCount = Number(values.students);
  const announcementCount = Number(values.announcements);
  const submissionCount = Math.min(Number(values.submissions), studentCount);
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], {
    stdio: "inherit",
    execArgv: [...process.execArgv, "--expose-gc"],
  });
  const deadline = setTimeout(
    () => {
      console.error(`Gave up after ${values.deadline} s (--deadline).`);
      child.kill("SIGKILL");
      process.exit(1);
    },
    Number(values.deadline) * 1000,
  );
  const ask = async <T>(request: Request): Promise<T> => {
    const reply = once(child, "message") as Promise<[T]>;
    child.send(request);
    return (await reply)[0];
  };
  const [{ port }] = (await once(child, "message")) as [{ port: number }];
  const http = `http://127.0.0.1:${port}`;
  const ws = `ws://127.0.0.1:${port}`;
  const students: {
    id: string;
    credential: string;
    socket: WebSocket;
    announcements: Map<number, number>;
  }[] = [];
  console.log(
    `Class server pid ${child.pid} on ${http}; ${studentCount} students, ${announcementCount} announcements, ${submissionCount} submissions.`,
  );

  try {
    // Warm the endpoints once, then the empty server's memory.
    await joinAndConnect("warm-up");
    students.pop()!.socket.close();
    await sleep(200);
    const empty = await ask<Memory>({ type: "memory" });

    // 1. Students join (HTTP) and connect (WebSocket hello → welcome), 25 at a time.
    const joinStarted = performance.now();
    for (let i = 0; i < studentCount; i += 25) {
      const batch = Array.from(
        { length: Math.min(25, studentCount - i) },
        (_, k) => `student ${i + k + 1}`,
      );
      await Promise.all(batch.map((nickname) => joinAndConnect(nickname)));
    }
    const joinMs = performance.now() - joinStarted;
    const full = await ask<Memory>({ type: "memory" });
    const per = (key: keyof Memory) => (full[key] - empty[key]) / studentCount / 1024;

    // 2. Announcements: from the POST until the last of the students has it.
    const toAll: number[] = [];
    const toEach: number[] = [];
    for (let n = 0; n < announcementCount; n++) {
      const sent = performance.now();
      const response = await fetch(`${http}/api/class/announce`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ text: `Announcement ${n + 1}: open the next lesson.` }),
      });
      if (response.status !== 201) throw new Error(`announce answered ${response.status}`);
      const { id } = (await response.json()) as { id: number };
      while (students.some((student) => !student.announcements.has(id))) await sleep(1);
      const arrivals = students.map((student) => student.announcements.get(id)! - sent);
      toAll.push(Math.max(...arrivals));
      toEach.push(...arrivals);
      await sleep(50);
    }

    // 3. The dashboard while graded submissions are recorded: a burst, then paced (every 50 ms).
    const dashboardRuns = [];
    for (const intervalMs of [0, 50]) {
      dashboardRuns.push({ intervalMs, ...(await dashboardRun(intervalMs)) });
    }

    const graded = await gradedRun();

    report({ joinMs, empty, full, per, toAll, toEach, dashboardRuns, graded });
  } finally {
    clearTimeout(deadline);
    for (const student of students) student.socket.terminate();
    const exited = once(child, "exit");
    child.send({ type: "exit" } satisfies Request);
    await exited;
  }

  async function joinAndConnect(nickname: string): Promise<void> {
    const response = await fetch(`${http}/api/class/join`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nickname }),
    });
    if (response.status !== 201) throw new Error(`join answered ${response.status}`);
    const body = (await response.json()) as { student: { id: string }; credential: string };
    const socket = new WebSocket(`${ws}/ws/class`);
    const student = {
      id: body.student.id,
      credential: body.credential,
      socket,
      announcements: new Map<number, number>(),
    };
    const welcomed = new Promise<void>((resolve, reject) => {
      socket.on("error", reject);
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; announcement?: { id: number } };
        if (message.type === "welcome") resolve();
        else if (message.type === "announcement") {
          student.announcements.set(message.announcement!.id, performance.now());
        }
      });
    });
    socket.on("open", () =>
      socket.send(JSON.stringify({ type: "hello", credential: body.credential })),
    );
    await welcomed;
    students.push(student);
  }

  async function dashboardRun(intervalMs: number) {
    const dashboard = new WebSocket(`${ws}/ws/instructor?token=${TOKEN}`);
    const arrivals: { at: number; type: string; bytes: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      dashboard.on("error", reject);
      dashboard.on("message", (data: Buffer) => {
        const { type } = JSON.parse(String(data)) as { type: string };
        if (type === "snapshot") resolve();
        else arrivals.push({ at: performance.now(), type, bytes: data.length });
      });
    });
    const ids = students.slice(0, submissionCount).map((student) => student.id);
    const started = performance.now();
    const { recordMs } = await ask<{ recordMs: number }>({
      type: "record",
      studentIds: ids,
      intervalMs,
    });
    // Each submission sends the student's row and the new pass counts: 2 messages.
    while (arrivals.length < 2 * ids.length) await sleep(1);
    const spanMs = arrivals.at(-1)!.at - started;
    dashboard.close();
    return {
      recordMs,
      spanMs,
      messages: arrivals.length,
      bytes: arrivals.reduce((sum, arrival) => sum + arrival.bytes, 0),
      perSecond: arrivals.length / (spanMs / 1000),
      submissionsPerSecond: ids.length / (spanMs / 1000),
    };
  }

  /** M students submit at once through the real grading path; the dashboard follows. */
  async function gradedRun() {
    const dashboard = new WebSocket(`${ws}/ws/instructor?token=${TOKEN}`);
    const results: number[] = [];
    await new Promise<void>((resolve, reject) => {
      dashboard.on("error", reject);
      dashboard.on("message", (data: Buffer) => {
        const message = JSON.parse(String(data)) as {
          type: string;
          student?: { latestSubmission?: { exercise: string } };
        };
        if (message.type === "snapshot") resolve();
        else if (
          message.type === "student" &&
          message.student?.latestSubmission?.exercise === "handshake-accept"
        ) {
          results.push(performance.now());
        }
      });
    });
    const wrong = "export function acceptKey(key: string): string {\n  return key;\n}\n";
    const right = [
      'import { createHash } from "node:crypto";',
      "export function acceptKey(key: string): string {",
      '  return createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");',
      "}",
    ].join("\n");
    const submitters = students.slice(-submissionCount);
    const started = performance.now();
    const statuses = await Promise.all(
      submitters.map(async (student, i) => {
        const response = await fetch(`${http}/api/grade`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            exercise: "handshake-accept",
            client: student.credential,
            files: { "solution.ts": i % 3 === 2 ? wrong : right },
          }),
        });
        return ((await response.json()) as { status?: string }).status ?? `http ${response.status}`;
      }),
    );
    while (results.length < submitters.length) await sleep(5);
    dashboard.close();
    const spanMs = results.at(-1)! - started;
    const counts: Record<string, number> = {};
    for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
    return {
      submissions: submitters.length,
      counts,
      firstMs: results[0] - started,
      spanMs,
      perSecond: results.length / (spanMs / 1000),
    };
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(results: {
  joinMs: number;
  empty: Memory;
  full: Memory;
  per: (key: keyof Memory) => number;
  toAll: number[];
  toEach: number[];
  dashboardRuns: {
    intervalMs: number;
    recordMs: number;
    spanMs: number;
    messages: number;
    bytes: number;
    perSecond: number;
    submissionsPerSecond: number;
  }[];
  graded: {
    submissions: number;
    counts: Record<string, number>;
    firstMs: number;
    spanMs: number;
    perSecond: number;
  };
}): void {
  const { joinMs, empty, full, per, toAll, toEach, dashboardRuns, graded } = results;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  console.log(`\nJoin + connect, all students: ${ms(joinMs)}`);
  console.log(
    `Server memory: RSS ${mib(empty.rss)} → ${mib(full.rss)}, heap ${mib(empty.heapUsed)} → ${mib(full.heapUsed)}`,
  );
  console.log(
    `  per connected student: RSS ${per("rss").toFixed(1)} KiB, JS heap ${per("heapUsed").toFixed(1)} KiB, ` +
      `external ${per("external").toFixed(1)} KiB`,
  );
  console.log(
    `Announcement → every student: p50 ${ms(percentile(toAll, 50))}, p99 ${ms(percentile(toAll, 99))}, max ${ms(Math.max(...toAll))} (${toAll.length} announcements)`,
  );
  console.log(
    `  → one student:              p50 ${ms(percentile(toEach, 50))}, p99 ${ms(percentile(toEach, 99))} (${toEach.length} deliveries)`,
  );
  for (const run of dashboardRuns) {
    console.log(
      `Dashboard, ${run.intervalMs === 0 ? "burst" : `one submission every ${run.intervalMs} ms`}: ` +
        `${run.messages} updates in ${ms(run.spanMs)} = ${run.perSecond.toFixed(0)} updates/s ` +
        `(${run.submissionsPerSecond.toFixed(0)} submissions/s; recording took ${ms(run.recordMs)} in the server; ` +
        `${(run.bytes / run.messages).toFixed(0)} B per update)`,
    );
  }
  console.log(
    `Dashboard, ${graded.submissions} real submissions graded at once (${JSON.stringify(graded.counts)}): ` +
      `first result on the dashboard after ${ms(graded.firstMs)}, last after ${ms(graded.spanMs)} ` +
      `(${graded.perSecond.toFixed(2)} results/s, each shown as it was graded)`,
  );
}
