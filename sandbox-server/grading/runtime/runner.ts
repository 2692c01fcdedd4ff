/**
 * The trusted half of a grading sandbox. Runs *inside* bubblewrap, before any
 * student code exists:
 *
 * 1. keeps its own stdout (fd 1) as the results channel: vitest gets a
 *    separate sink for its output, and the vitest worker that runs the
 *    student's code is forked with fresh stdio pipes, so no student code
 *    holds fd 1 (and a socket cannot be re-opened through /proc);
 * 2. imports vitest and creates a Vitest instance (the slow part, done while
 *    the sandbox waits in the warm pool);
 * 3. reads ONE submission from stdin, writes `solution.ts` into the tmpfs and
 *    runs the exercise's read-only test files;
 * 4. streams one JSON line per finished test to stdout, each tagged
 *    with the submission's nonce, then a final `done` line, and exits.
 *
 * This file is copied into the sandbox's read-only `/app/grading/`; it may only
 * import Node built-ins, `vitest/node` and the sibling `protocol.ts`.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { Writable } from "node:stream";
import { isBuiltin } from "node:module";
import { init as lexerReady, parse as parseImports } from "es-module-lexer";
import { createVitest } from "vitest/node";
import type { Reporter, TestCase, TestModule } from "vitest/node";
import type { RunnerMessage, RunnerTestResult, Submission } from "./protocol.ts";
import { PROTOCOL_LIMITS, describeBlockedImport, isAllowedSolutionImport } from "./protocol.ts";

const RESULTS_FD = 1;
const WORK_DIR = process.env.WIRELAB_WORK_DIR ?? "/tmp/work";
const APP_DIR = process.env.WIRELAB_APP_DIR ?? "/app";
const EXERCISES_DIR = process.env.WIRELAB_EXERCISES_DIR ?? `${APP_DIR}/exercises`;
const SETUP_FILE = new URL("./setup.ts", import.meta.url).pathname;
const ENTRY_FILE = new URL("./entry.test.ts", import.meta.url).pathname;
const SOLUTION_PATH = `${WORK_DIR}/solution.ts`;

const resultsFd = RESULTS_FD;

// Nothing but results may reach fd 1: route every other writer elsewhere.
console.log = console.info = console.debug = console.error;
const writeErr = process.stderr.write.bind(process.stderr);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
  (writeErr as (c: string | Uint8Array, ...r: unknown[]) => boolean)(
    chunk,
    ...rest,
  )) as typeof process.stdout.write;

// Everything the solution prints (the worker's stdout/stderr, console.*)
// counts against one limit; past it the run stops with a `limit` message.
const OUTPUT_LIMIT = Number(process.env.WIRELAB_OUTPUT_BYTES ?? 1024 * 1024);
let outputBytes = 0;
function countOutput(bytes: number): void {
  outputBytes += bytes;
  if (outputBytes > OUTPUT_LIMIT) {
    send({ type: "limit", limit: "output" });
    process.exit(1);
  }
}

/** Where vitest's own output goes (including the worker's stdout/stderr): counted, then dropped. */
function cappedSink(): Writable {
  let debugLeft = 16 * 1024;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (debugLeft > 0 && process.env.WIRELAB_DEBUG) writeErr(chunk.subarray(0, debugLeft));
      debugLeft -= chunk.length;
      countOutput(chunk.length);
      callback();
    },
  });
}

let nonce = "";
function send(message: RunnerMessage): void {
  const line = JSON.stringify({ ...message, nonce }) + "\n";
  const bytes = Buffer.from(line);
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(resultsFd, bytes, offset);
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

let consoleBytes = 0;
const consoleChunks: string[] = [];

let receivedAt = 0;
const reporter: Reporter = {
  onTestCaseResult(testCase) {
    if (process.env.WIRELAB_DEBUG)
      console.error(`test at ${Math.round(performance.now() - receivedAt)} ms`);
    send({ type: "test", test: testResult(testCase) });
  },
  onUserConsoleLog(log) {
    countOutput(log.content.length);
    if (consoleBytes >= PROTOCOL_LIMITS.consoleChars) return;
    const text = log.content.slice(0, PROTOCOL_LIMITS.consoleChars - consoleBytes);
    consoleBytes += text.length;
    consoleChunks.push(text);
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
    send({
      type: "done",
      errors: errors.map((message) => truncate(message, PROTOCOL_LIMITS.messageChars) ?? ""),
      console: consoleChunks.join(""),
    });
  },
};

mkdirSync(WORK_DIR, { recursive: true });
writeFileSync(SOLUTION_PATH, "export {};\n");

const cpu = (label: string) => {
  if (!process.env.WIRELAB_DEBUG) return;
  const u = process.cpuUsage();
  console.error(
    `${label}: cpu ${Math.round((u.user + u.system) / 1000)} ms, wall ${Math.round(performance.now())} ms`,
  );
};
cpu("imported");
const vitest = await createVitest(
  "test",
  {
    config: false,
    root: APP_DIR,
    include: [ENTRY_FILE],
    watch: false,
    reporters: [reporter],
    pool: "forks",
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
    execArgv: [`--max-old-space-size=${process.env.WIRELAB_HEAP_MB ?? 192}`, "--no-warnings"],
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
  { stdout: cappedSink(), stderr: cappedSink() },
);
cpu("created");
await vitest.standalone();
cpu("standalone");
const project = vitest.getRootProject();
// Start the run now: the worker forks, loads vitest's runtime and the setup
// file, then blocks in entry.test.ts until the submission is written.
const run = vitest.runTestSpecifications([project.createSpecification(ENTRY_FILE)], true);
run.catch(() => {});
while (!existsSync(`${WORK_DIR}/.worker-waiting`)) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}

send({ type: "ready" });

// One submission, one line of JSON on stdin.
const chunks: Buffer[] = [];
let received = 0;
for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
  received += chunk.length;
  if (received > PROTOCOL_LIMITS.submissionBytes) {
    send({ type: "done", errors: ["submission too large"], console: "" });
    process.exit(1);
  }
  chunks.push(chunk);
  if (chunk.includes(10)) break;
}
receivedAt = performance.now();
const submission = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Submission;
nonce = submission.nonce;
writeFileSync(SOLUTION_PATH, submission.solution);
writeFileSync(
  `${WORK_DIR}/submission.json.tmp`,
  JSON.stringify({ testFiles: submission.testFiles }),
);
renameSync(`${WORK_DIR}/submission.json.tmp`, `${WORK_DIR}/submission.json`);

try {
  await run;
} catch (error) {
  send({ type: "done", errors: [String((error as Error)?.message ?? error)], console: "" });
}
if (process.env.WIRELAB_DEBUG)
  console.error(`run took ${Math.round(performance.now() - receivedAt)} ms`);
// Do not wait for vitest.close(): anything the student left running dies with
// the sandbox. The grader has what it needs.
process.exit(0);
