/**
 * The trusted half of grading: vitest's main process, run *inside* its own
 * bubblewrap sandbox and kept for many submissions. Student code never runs
 * here — vitest only transforms it. Each submission's tests run in a vitest
 * worker that the grader starts in a fresh sandbox of its own (see
 * `RelayedWorker`), so a sandbox that runs student code serves exactly one
 * submission.
 *
 * 1. keeps its own stdout (fd 1) as the results channel: vitest's own output
 *    goes to a separate sink;
 * 2. imports vitest and creates a Vitest instance once (the slow part);
 * 3. for each submission: starts a run whose worker loads vitest and blocks
 *    in `entry.test.ts` (warm), says `ready`, reads ONE submission line from
 *    stdin, writes `solution.ts` into its tmpfs, and lets the worker import
 *    the exercise's read-only test files;
 * 4. streams one JSON line per finished test to stdout, each tagged with the
 *    submission's nonce, then a final `done` line.
 *
 * This file is copied into the sandbox's read-only `/app/grading/`; it may only
 * import Node built-ins, `vitest/node`, `es-module-lexer` and the sibling `protocol.ts`.
 */
import { EventEmitter } from "node:events";
import { mkdirSync, writeFileSync, writeSync } from "node:fs";
import { isBuiltin } from "node:module";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { init as lexerReady, parse as parseImports } from "es-module-lexer";
import { createVitest } from "vitest/node";
import type {
  PoolOptions,
  PoolWorker,
  Reporter,
  TestCase,
  TestModule,
  WorkerRequest,
} from "vitest/node";
import type {
  EntrySignal,
  GraderNotice,
  RunnerMessage,
  RunnerRequest,
  RunnerTestResult,
  Submission,
} from "./protocol.ts";
import { PROTOCOL_LIMITS, describeBlockedImport, isAllowedSolutionImport } from "./protocol.ts";

const RESULTS_FD = 1;
const WORK_DIR = process.env.WIRELAB_WORK_DIR ?? "/tmp/work";
const APP_DIR = process.env.WIRELAB_APP_DIR ?? "/app";
const EXERCISES_DIR = process.env.WIRELAB_EXERCISES_DIR ?? `${APP_DIR}/exercises`;
const SETUP_FILE = new URL("./setup.ts", import.meta.url).pathname;
const ENTRY_FILE = new URL("./entry.test.ts", import.meta.url).pathname;
const SOLUTION_PATH = `${WORK_DIR}/solution.ts`;
const debug = (text: string) => {
  if (process.env.WIRELAB_DEBUG) console.error(text);
};

// Nothing but results may reach fd 1: route every other writer elsewhere.
console.log = console.info = console.debug = console.error;
const writeErr = process.stderr.write.bind(process.stderr);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
  (writeErr as (c: string | Uint8Array, ...r: unknown[]) => boolean)(
    chunk,
    ...rest,
  )) as typeof process.stdout.write;

/** Where vitest's own output goes: dropped (the first 16 KiB shown when debugging). */
function debugSink(): Writable {
  let debugLeft = 16 * 1024;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (debugLeft > 0 && process.env.WIRELAB_DEBUG) writeErr(chunk.subarray(0, debugLeft));
      debugLeft -= chunk.length;
      callback();
    },
  });
}

/** The submission being graded; its nonce tags every results line. */
let active: { nonce: string; consoleBytes: number; consoleChunks: string[]; done: boolean } | null =
  null;

function send(message: RunnerMessage): void {
  const line = JSON.stringify({ ...message, nonce: active?.nonce ?? "" }) + "\n";
  const bytes = Buffer.from(line);
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(RESULTS_FD, bytes, offset);
}

function sendDone(errors: string[]): void {
  if (!active || active.done) return;
  active.done = true;
  send({
    type: "done",
    errors: errors.map((message) => truncate(message, PROTOCOL_LIMITS.messageChars) ?? ""),
    console: active.consoleChunks.join(""),
  });
}

/** Everything the solution prints through `console` counts against one limit. */
const OUTPUT_LIMIT = Number(process.env.WIRELAB_OUTPUT_BYTES ?? 1024 * 1024);
let outputBytes = 0;
function countOutput(bytes: number): void {
  outputBytes += bytes;
  if (outputBytes > OUTPUT_LIMIT) {
    send({ type: "limit", limit: "output" });
    process.exit(1);
  }
}

function truncate(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? text.slice(0, max) + "…" : text;
}

function testResult(testCase: TestCase): RunnerTestResult {
  const result = testCase.result();
  const status = result.state === "passed" ? "pass" : result.state === "failed" ? "fail" : "skip";
  const error = result.state === "failed" ? result.errors?.[0] : undefined;
  const out: RunnerTestResult = { name: testCase.fullName, status };
  if (error) {
    out.message = truncate(error.message ?? String(error), PROTOCOL_LIMITS.messageChars);
    if (typeof error.expected === "string")
      out.expected = truncate(error.expected, PROTOCOL_LIMITS.valueChars);
    if (typeof error.actual === "string")
      out.actual = truncate(error.actual, PROTOCOL_LIMITS.valueChars);
  }
  return out;
}

const reporter: Reporter = {
  onTestCaseResult(testCase) {
    if (active) send({ type: "test", test: testResult(testCase) });
  },
  onUserConsoleLog(log) {
    if (!active) return;
    countOutput(log.content.length);
    if (active.consoleBytes >= PROTOCOL_LIMITS.consoleChars) return;
    const text = log.content.slice(0, PROTOCOL_LIMITS.consoleChars - active.consoleBytes);
    active.consoleBytes += text.length;
    active.consoleChunks.push(text);
  },
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors) {
    const errors: string[] = [];
    for (const module of testModules) {
      for (const error of module.errors()) errors.push(error.message ?? String(error));
    }
    for (const error of unhandledErrors) {
      if (process.env.WIRELAB_DEBUG) console.error(error);
      const message = (error as { message?: unknown }).message;
      errors.push(typeof message === "string" ? message : String(error));
    }
    sendDone(errors);
  },
};

/**
 * The RPC calls a worker may make to this process. The worker runs student
 * code, so it is hostile: everything else vitest offers workers (writing
 * benchmark files, planting module-graph entries, pre-warming) is refused,
 * so no submission can change what this long-lived process does for the next.
 */
const WORKER_RPC = new Set([
  "fetch",
  "fetchWarmModules",
  "resolve",
  "resolveSnapshotPath",
  "snapshotSaved",
  "onQueued",
  "onCollected",
  "onTaskUpdate",
  "onUserConsoleLog",
  "onUnhandledError",
  "onAsyncLeaks",
  "onCancel",
  "getCountOfFailedTests",
]);

const relayed = new Map<number, RelayedWorker>();
let workerCounter = 0;
const ipcSend = (request: RunnerRequest) => process.send!(request);
process.on("message", (notice: GraderNotice) => relayed.get(notice.worker)?.notice(notice));
// Without the grader there is nothing left to do.
process.on("disconnect", () => process.exit(0));

/**
 * vitest's pool worker, relayed: instead of forking, ask the grader to start
 * the worker in a fresh sandbox and pass messages through it.
 */
class RelayedWorker implements PoolWorker {
  readonly name = "wirelab-sandbox";
  /** The worker cannot see this sandbox's files: send transformed code over RPC. */
  readonly cacheFs = false;
  readonly id = ++workerCounter;
  private events = new EventEmitter();
  private request: Omit<Extract<RunnerRequest, { type: "spawn-worker" }>, "type" | "worker">;
  private spawned: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private exited = false;

  constructor(options: PoolOptions) {
    this.request = {
      entry: resolve(options.distPath, "workers/forks.js"),
      execArgv: options.execArgv,
      env: Object.fromEntries(
        Object.entries(options.env).filter(
          (entry): entry is [string, string] =>
            entry[0].startsWith("VITEST") && typeof entry[1] === "string",
        ),
      ),
    };
  }

  on(event: string, callback: (...args: unknown[]) => void): void {
    this.events.on(event, callback);
  }
  off(event: string, callback: (...args: unknown[]) => void): void {
    this.events.off(event, callback);
  }
  send(message: WorkerRequest | EntrySignal | object): void {
    if (!this.exited) ipcSend({ type: "to-worker", worker: this.id, message });
  }
  deserialize(data: unknown): unknown {
    return data;
  }

  start(): Promise<void> {
    relayed.set(this.id, this);
    return new Promise((resolveStart, rejectStart) => {
      this.spawned = { resolve: resolveStart, reject: rejectStart };
      ipcSend({ type: "spawn-worker", worker: this.id, ...this.request });
    });
  }

  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    const gone = new Promise<void>((resolveGone) => this.events.once("exit", () => resolveGone()));
    ipcSend({ type: "stop-worker", worker: this.id });
    return gone;
  }

  /** Let the blocked `entry.test.ts` import the exercise's test files. */
  go(testFiles: string[]): void {
    this.send({ wirelab: "go", testFiles } satisfies EntrySignal);
  }

  notice(notice: GraderNotice): void {
    if (notice.type === "worker-spawned") {
      this.spawned?.resolve();
      this.spawned = null;
    } else if (notice.type === "worker-exit") {
      this.exited = true;
      relayed.delete(this.id);
      this.spawned?.reject(new Error("the grading worker could not be started"));
      this.spawned = null;
      this.events.emit("exit", notice.code, notice.signal);
    } else {
      this.fromWorker(notice.message);
    }
  }

  private fromWorker(message: unknown): void {
    const m = message as { wirelab?: unknown; t?: unknown; m?: unknown; i?: unknown } | null;
    if (m?.wirelab === "waiting") {
      onWorkerWaiting(this);
      return;
    }
    if (m?.t === "q" && !WORKER_RPC.has(String(m.m))) {
      debug(`refused worker RPC ${String(m.m)}`);
      if (m.i)
        this.send({
          t: "s",
          i: m.i,
          e: new Error(`${String(m.m)} is not available while grading`),
        });
      return;
    }
    this.events.emit("message", message);
  }
}
/** Told when the current run's worker is warm and blocked in entry.test.ts. */
let onWorkerWaiting: (worker: RelayedWorker) => void = () => {};

mkdirSync(WORK_DIR, { recursive: true });
writeFileSync(SOLUTION_PATH, "export {};\n");

const vitest = await createVitest(
  "test",
  {
    config: false,
    root: APP_DIR,
    include: [ENTRY_FILE],
    watch: false,
    reporters: [reporter],
    pool: {
      name: "wirelab-sandbox",
      createPoolWorker: (options) => new RelayedWorker(options),
    },
    maxWorkers: 1,
    fileParallelism: false,
    isolate: true,
    setupFiles: [SETUP_FILE],
    testTimeout: Number(process.env.WIRELAB_TEST_TIMEOUT ?? 5000),
    hookTimeout: Number(process.env.WIRELAB_TEST_TIMEOUT ?? 5000),
    teardownTimeout: 1000,
    passWithNoTests: false,
    allowOnly: false,
    globals: false,
    printConsoleTrace: false,
    execArgv: ["--no-warnings"],
  },
  {
    cacheDir: `${WORK_DIR}/../vite-cache`,
    logLevel: "silent",
    plugins: [
      {
        // The exercise's tests import `./solution.ts`: give them the submission.
        name: "wirelab-grading-solution",
        enforce: "pre",
        resolveId(source, importer) {
          if (importer?.startsWith(EXERCISES_DIR + "/") && /^\.\/solution(\.ts)?$/.test(source))
            return SOLUTION_PATH;
          return null;
        },
      },
      {
        // What the submission may import, checked on its compiled JavaScript.
        name: "wirelab-grading-imports",
        enforce: "post",
        async transform(code, id) {
          if (!id.startsWith(SOLUTION_PATH)) return null;
          await lexerReady;
          const [imports] = parseImports(code);
          for (const entry of imports) {
            if (entry.d === -2) continue; // import.meta
            if (entry.n === undefined) {
              this.error("solution.ts may only use import() with a string literal.");
            }
            if (!isAllowedSolutionImport(entry.n, isBuiltin))
              this.error(describeBlockedImport(entry.n));
          }
          return null;
        },
      },
    ],
  },
  { stdout: debugSink(), stderr: debugSink() },
);
await vitest.standalone();
const entry = vitest.getRootProject().createSpecification(ENTRY_FILE);

const submissions = createInterface({ input: process.stdin, crlfDelay: Infinity })[
  Symbol.asyncIterator
]();

for (let failedStarts = 0; ;) {
  // Start the run now: the worker loads vitest's runtime and the setup file,
  // then blocks in entry.test.ts until the submission is in place.
  const waiting = new Promise<RelayedWorker>(
    (resolveWaiting) => (onWorkerWaiting = resolveWaiting),
  );
  const run = vitest.runTestSpecifications([entry], true);
  run.catch(() => {});
  const worker = await Promise.race([
    waiting,
    run.then(
      () => null,
      () => null,
    ),
  ]);
  if (!worker) {
    if (++failedStarts >= 3) {
      console.error("the vitest worker failed to start three times in a row");
      process.exit(1);
    }
    continue;
  }
  failedStarts = 0;
  send({ type: "ready" });

  // One submission, one line of JSON on stdin.
  const next = await submissions.next();
  if (next.done) process.exit(0);
  if (Buffer.byteLength(next.value) > PROTOCOL_LIMITS.submissionBytes) {
    send({ type: "done", errors: ["submission too large"], console: "" });
    process.exit(1);
  }
  const submission = JSON.parse(next.value) as Submission;
  active = { nonce: submission.nonce, consoleBytes: 0, consoleChunks: [], done: false };
  const receivedAt = performance.now();
  writeFileSync(SOLUTION_PATH, submission.solution);
  vitest.invalidateFile(SOLUTION_PATH);
  worker.go(submission.testFiles.map((file) => `${EXERCISES_DIR}/${file}`));
  try {
    await run;
  } catch (error) {
    sendDone([String((error as Error)?.message ?? error)]);
  }
  sendDone(["the test run ended without results"]);
  debug(`run took ${Math.round(performance.now() - receivedAt)} ms`);
  active = null;
}
