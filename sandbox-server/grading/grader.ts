/**
 * The grading path shared by the HTTP/WebSocket feature, the CLI, the tests
 * and the benchmark: exercises → queue → slot (runner + fresh worker sandbox) → checked result.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createCgroupManager } from "./cgroups.ts";
import type { CgroupManager } from "./cgroups.ts";
import { loadExercises } from "./exercises.ts";
import type { Exercise } from "./exercises.ts";
import { SandboxPool } from "./pool.ts";
import { GradingQueue, QueueRejection } from "./queue.ts";
import { buildResult } from "./results.ts";
import type { GradeResult, TestResult } from "./results.ts";
import { PROTOCOL_LIMITS } from "./runtime/protocol.ts";
import { allSandboxesCleaned, createStage } from "./sandbox.ts";
import type { SandboxLimits, SandboxStage } from "./sandbox.ts";

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface GraderOptions {
  /** Folder of exercise folders. Default: `<project>/exercises`. */
  exercisesDir?: string;
  /** `node_modules` made visible (read-only) inside sandboxes. Default: `<project>/node_modules`. */
  nodeModulesDir?: string;
  /** Submissions graded at the same time. Default: the number of cores. */
  concurrency?: number;
  /**
   * Start the grading runners at once and keep a fresh worker sandbox
   * waiting in each (default). `false`: start them on the first submission
   * (the CLI, tests that grade rarely).
   */
  warm?: boolean;
  /** Submissions one runner (vitest's main process) serves before it is replaced. Default: 50. */
  runnerReuse?: number;
  /** Submissions allowed to wait beyond the running ones. Default: 200. */
  maxQueued?: number;
  /** Wall-clock limit per submission, ms. Default: 10 000. */
  timeLimitMs?: number;
  /** Per-test timeout inside vitest, ms. Default: 5 000. */
  testTimeoutMs?: number;
  /** Memory limit per sandbox (cgroup), bytes. Default: 512 MiB. */
  memoryBytes?: number;
  /** Process + thread limit per sandbox (cgroup). Default: 128. */
  pids?: number;
  /** Size of the sandbox's writable tmpfs, bytes. Default: 16 MiB. */
  tmpfsBytes?: number;
  /** V8 heap limit of the process running the tests, MiB. Default: 192. */
  heapMb?: number;
  /** Most stdout + stderr bytes before a sandbox is killed. Default: 1 MiB. */
  outputBytes?: number;
  /**
   * `"auto"` (default): use `bwrap` from PATH when it works here; a path:
   * that binary; `false`: no sandbox at all (unsafe, trusted local use only).
   */
  bubblewrap?: "auto" | string | false;
  /** `"auto"` (default) uses cgroup v2 or v1 where writable; `"off"` never. */
  cgroups?: "auto" | "off";
}

export interface GradeRequest {
  exercise: string;
  /** The submitted files; only `solution.ts` is accepted. */
  files: Record<string, string>;
  /** Who submitted: one submission in flight per client. */
  client: string;
}

export type GradeEvent =
  | { type: "queued"; position: number }
  | { type: "started"; warm: boolean }
  | { type: "test"; test: TestResult }
  | { type: "result"; result: GradeResult };

/** A request the grader refuses, with the HTTP status to answer. */
export class GradeRejection extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = "GradeRejection";
    this.statusCode = statusCode;
  }
}

export interface SandboxDescription {
  /** True when submissions run inside bubblewrap. */
  sandboxed: boolean;
  bubblewrap: string;
  cgroup: CgroupManager["version"];
  cgroupDetail: string;
  limits: SandboxLimits & { memoryBytes: number | null; pids: number | null };
}

function findBubblewrap(setting: GraderOptions["bubblewrap"]): {
  path: string | null;
  detail: string;
} {
  if (setting === false) return { path: null, detail: "disabled by configuration" };
  let path: string | null = null;
  if (setting && setting !== "auto") path = setting;
  else {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
      if (dir && existsSync(join(dir, "bwrap"))) {
        path = join(dir, "bwrap");
        break;
      }
    }
  }
  if (!path) return { path: null, detail: "bwrap not found on PATH" };
  try {
    // Probe: can this host create the namespaces we need?
    execFileSync(
      path,
      ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--", "/bin/true"],
      {
        stdio: "pipe",
        timeout: 5000,
      },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return {
      path: null,
      detail: `bwrap at ${path} cannot create namespaces here (${stderr || (error as Error).message})`,
    };
  }
  let version = "";
  try {
    version = execFileSync(path, ["--version"], { encoding: "utf8", timeout: 5000 }).trim();
  } catch {
    // version is decoration only
  }
  return { path, detail: `${version || "bubblewrap"} at ${path}` };
}

/** Full test names per exercise, collected by vitest in a child process. */
async function listTests(exercises: Exercise[]): Promise<Map<string, string[]>> {
  const files = exercises.flatMap((e) => e.testFiles.map((file) => join(e.dir, file)));
  const script = join(dirname(fileURLToPath(import.meta.url)), "list-tests.ts");
  const stdout = await new Promise<string>((resolveOut, reject) => {
    execFile(
      process.execPath,
      ["--no-warnings", script, PROJECT_ROOT, ...files],
      { cwd: PROJECT_ROOT, maxBuffer: 16 * 2 ** 20, timeout: 60_000 },
      (error, out, err) =>
        error
          ? reject(new Error(`listing tests failed: ${err || error.message}`))
          : resolveOut(out),
    );
  });
  const byFile = JSON.parse(stdout) as Record<string, string[] | { error: string }>;
  const byExercise = new Map<string, string[]>();
  for (const exercise of exercises) {
    const names = exercise.testFiles.flatMap((file) => {
      const found = byFile[join(exercise.dir, file)] ?? [];
      if (!Array.isArray(found))
        throw new Error(
          `exercises/${exercise.id}/${file}: cannot collect its tests: ${found.error}`,
        );
      return found;
    });
    if (names.length === 0)
      throw new Error(
        `exercises/${exercise.id}: no tests found in ${exercise.testFiles.join(", ")}`,
      );
    if (new Set(names).size !== names.length) {
      throw new Error(
        `exercises/${exercise.id}: two tests share a full name; give each test a unique name`,
      );
    }
    byExercise.set(exercise.id, names);
  }
  return byExercise;
}

export class Grader {
  readonly exercises: Exercise[];
  readonly description: SandboxDescription;
  readonly queue: GradingQueue;
  readonly pool: SandboxPool;
  /** Resolves once the exercises' test lists are known; grading waits for it. */
  readonly ready: Promise<void>;
  private expectedTests = new Map<string, string[]>();
  private stage: SandboxStage;
  private cgroups: CgroupManager;
  private closed = false;

  /** Checks the exercises (throws on a bad one), detects the sandbox and starts the grading slots. */
  constructor(options: GraderOptions = {}) {
    const exercisesDir = options.exercisesDir ?? join(PROJECT_ROOT, "exercises");
    const nodeModulesDir = options.nodeModulesDir ?? join(PROJECT_ROOT, "node_modules");
    this.exercises = loadExercises(exercisesDir);
    const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
    const limits: SandboxLimits = {
      timeLimitMs: options.timeLimitMs ?? 10_000,
      testTimeoutMs: options.testTimeoutMs ?? 5_000,
      tmpfsBytes: options.tmpfsBytes ?? 16 * 2 ** 20,
      heapMb: options.heapMb ?? 192,
      outputBytes: options.outputBytes ?? 2 ** 20,
    };
    const memoryBytes = options.memoryBytes ?? 512 * 2 ** 20;
    const pids = options.pids ?? 128;
    const bubblewrap = findBubblewrap(options.bubblewrap ?? "auto");
    this.cgroups = createCgroupManager({ memoryBytes, pids }, options.cgroups ?? "auto");
    this.stage = createStage(
      nodeModulesDir,
      this.exercises.flatMap((e) =>
        e.testFiles.map((file) => ({ exercise: e.id, file, source: join(e.dir, file) })),
      ),
    );
    this.description = {
      sandboxed: bubblewrap.path !== null,
      bubblewrap: bubblewrap.detail,
      cgroup: this.cgroups.version,
      cgroupDetail: this.cgroups.detail,
      limits: {
        ...limits,
        memoryBytes: this.cgroups.version === "none" ? null : memoryBytes,
        pids: this.cgroups.version === "none" ? null : pids,
      },
    };
    this.queue = new GradingQueue(concurrency, options.maxQueued ?? 200);
    this.pool = new SandboxPool({
      size: concurrency,
      warm: options.warm ?? true,
      runnerReuse: Math.max(1, options.runnerReuse ?? 50),
      stage: this.stage,
      limits,
      cgroups: this.cgroups,
      bubblewrap: bubblewrap.path,
    });
    this.ready = listTests(this.exercises).then((tests) => {
      this.expectedTests = tests;
    });
    this.ready.catch(() => {});
  }

  /** Construct and wait until ready. */
  static async create(options: GraderOptions = {}): Promise<Grader> {
    const grader = new Grader(options);
    try {
      await grader.ready;
    } catch (error) {
      await grader.close();
      throw error;
    }
    return grader;
  }

  exercise(id: string): Exercise | undefined {
    return this.exercises.find((e) => e.id === id);
  }

  testsOf(id: string): string[] {
    return this.expectedTests.get(id) ?? [];
  }

  /** Start-up lines: which sandbox and which limits are in force. */
  describe(): string[] {
    const d = this.description;
    const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
    const lines = [
      d.sandboxed
        ? `grading: bubblewrap sandbox yes (${d.bubblewrap}): own network namespace (loopback only), read-only system and node_modules, ${mib(d.limits.tmpfsBytes)} tmpfs, no capabilities`
        : `grading: bubblewrap sandbox NO (${d.bubblewrap}): submissions run UNSANDBOXED; only loopback clients are graded unless started with the unsafe flag`,
      d.cgroup === "none"
        ? `grading: cgroup none: ${d.cgroupDetail}`
        : `grading: ${d.cgroupDetail}: memory ${mib(d.limits.memoryBytes ?? 0)}, ${d.limits.pids} processes/threads per sandbox`,
      `grading: limits: ${d.limits.timeLimitMs / 1000} s wall clock, ${d.limits.testTimeoutMs / 1000} s per test, ` +
        `${d.limits.heapMb} MiB JS heap, ${mib(d.limits.outputBytes)} output; ` +
        `${this.queue.concurrency} at a time (one runner each, a fresh worker sandbox per submission), ${this.exercises.length} exercises`,
    ];
    return lines;
  }

  /** Check a request before queueing it; throws {@link GradeRejection}. */
  validate(request: { exercise?: unknown; files?: unknown }): {
    exercise: Exercise;
    solution: string;
  } {
    if (typeof request.exercise !== "string")
      throw new GradeRejection(400, 'Expected "exercise": the exercise id, a string.');
    const exercise = this.exercise(request.exercise);
    if (!exercise)
      throw new GradeRejection(404, `Unknown exercise "${request.exercise.slice(0, 100)}".`);
    const files = request.files;
    if (typeof files !== "object" || files === null || Array.isArray(files)) {
      throw new GradeRejection(400, 'Expected "files": {"solution.ts": "..."}.');
    }
    const names = Object.keys(files);
    const solution = (files as Record<string, unknown>)["solution.ts"];
    if (names.length !== 1 || typeof solution !== "string") {
      throw new GradeRejection(400, 'Only one file may be submitted: "solution.ts", as a string.');
    }
    if (Buffer.byteLength(solution) > PROTOCOL_LIMITS.submissionBytes - 4096) {
      throw new GradeRejection(
        413,
        `solution.ts is too large (limit ${(PROTOCOL_LIMITS.submissionBytes - 4096) / 1024} KiB).`,
      );
    }
    return { exercise, solution };
  }

  /**
   * Grade one submission. Rejects with {@link GradeRejection} for bad
   * requests (400/404/413/429); otherwise always resolves with a result.
   */
  async grade(
    request: GradeRequest,
    onEvent: (event: GradeEvent) => void = () => {},
  ): Promise<GradeResult> {
    if (this.closed) throw new GradeRejection(503, "The grader is shutting down.");
    const { exercise, solution } = this.validate(request);
    await this.ready;
    const expectedTests = this.testsOf(exercise.id);
    try {
      const result = await this.queue.run(
        request.client,
        async () => {
          const { slot, warm } = this.pool.acquire();
          onEvent({ type: "started", warm });
          let outcome;
          try {
            outcome = await slot.run(
              {
                exercise: exercise.id,
                testFiles: exercise.testFiles.map((file) => `${exercise.id}/${file}`),
                solution,
              },
              (message) => {
                if (message.type === "test" && expectedTests.includes(message.test.name)) {
                  onEvent({ type: "test", test: message.test });
                }
              },
            );
          } catch (error) {
            return {
              status: "error" as const,
              tests: expectedTests.map((name) => ({
                name,
                status: "skip" as const,
                message: "did not run",
              })),
              message: `The grading sandbox could not be started: ${(error as Error).message}`,
              durationMs: 0,
            };
          }
          return buildResult(outcome, {
            expectedTests,
            timeLimitMs: this.description.limits.timeLimitMs,
            memoryBytes: this.description.limits.memoryBytes,
            pidsLimit: this.description.limits.pids,
          });
        },
        (position) => onEvent({ type: "queued", position }),
      );
      onEvent({ type: "result", result });
      return result;
    } catch (error) {
      if (error instanceof QueueRejection)
        throw new GradeRejection(error.statusCode, error.message);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
    await allSandboxesCleaned();
    await this.cgroups.close();
    this.stage.remove();
  }
}
