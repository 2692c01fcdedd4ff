/**
 * One grading slot: a long-lived runner sandbox (vitest's main process,
 * which never runs student code) and, per submission, a fresh worker
 * sandbox where the tests and the student's code run. The slot relays the
 * worker's messages to the runner and reads the results off the runner's
 * stdout.
 *
 * Why two sandboxes: starting vitest's main costs about 0.8 s of CPU, a
 * worker about 0.3 s. Keeping the main lets a 2-core machine grade a class's
 * burst of submissions in time, while every submission still gets a sandbox
 * (and cgroup) of its own that is killed when its results are in.
 *
 * The runner is replaced after any abnormal end (time limit, output limit,
 * untrusted results, a crash) and after `runnerReuse` submissions, so no
 * submission can leave it in a state that matters for the next one.
 */
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { CgroupManager } from "./cgroups.ts";
import { isValidMessage } from "./results.ts";
import type { GraderNotice, RunnerMessage, RunnerRequest } from "./runtime/protocol.ts";
import { PROTOCOL_LIMITS } from "./runtime/protocol.ts";
import { SandboxProcess, sandboxEnv, sandboxPaths } from "./sandbox.ts";
import type { SandboxLimits, SandboxPaths, SandboxStage } from "./sandbox.ts";

export interface SlotOptions {
  stage: SandboxStage;
  limits: SandboxLimits;
  cgroups: CgroupManager;
  bubblewrap: string | null;
  /** Submissions one runner serves before it is replaced. */
  runnerReuse: number;
}

export interface SandboxOutcome {
  messages: RunnerMessage[];
  /** Lines on the results channel that were not valid messages for this submission. */
  rejectedLines: number;
  timedOut: boolean;
  outputExceeded: boolean;
  resultsExceeded: boolean;
  oomKilled: boolean;
  pidsExhausted: boolean;
  /** The end of the worker's and runner's stderr, for diagnosing crashes. */
  stderrTail: string;
  durationMs: number;
}

export interface Submission {
  exercise: string;
  testFiles: string[];
  solution: string;
}

/** The results of the submission being graded, as they arrive. */
interface Collecting {
  nonce: string;
  messages: RunnerMessage[];
  rejectedLines: number;
  resultsBytes: number;
  resultsExceeded: boolean;
  onMessage: (message: RunnerMessage) => void;
  finished: () => void;
}

const MAX_FAILED_STARTS = 3;
const EXEC_ARG = /^--?[\w-]+(=[\w./@:,-]*)?$|^[\w./@:-]+$/;

export class GradingSlot {
  private options: SlotOptions;
  private paths: SandboxPaths;
  private runner: SandboxProcess | null = null;
  private served = 0;
  /** The runner has said `ready`: a worker is warm and waiting. */
  private isReady = false;
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private failedStarts = 0;
  private lastFailure = "";
  /** The worker sandbox for the next (or current) submission. */
  private worker: { id: number; process: SandboxProcess } | null = null;
  /** A spawn the runner asked for while a submission was still being finished. */
  private deferredSpawn: Extract<RunnerRequest, { type: "spawn-worker" }> | null = null;
  private collecting: Collecting | null = null;
  private busy = false;
  /** Between hand-over and the worker's end: `grade()` owns the worker. */
  private grading = false;
  private closed = false;

  constructor(options: SlotOptions) {
    this.options = options;
    this.paths = sandboxPaths(options.stage, options.bubblewrap !== null);
    this.startRunner();
  }

  /** True when a submission handed over now would be graded warm. */
  get warm(): boolean {
    return this.isReady && !this.busy;
  }

  /** Claimed by a submission (the queue runs at most one per slot). */
  get claimed(): boolean {
    return this.busy;
  }

  claim(): void {
    this.busy = true;
  }

  /** Resolves when a worker is warm; rejects once the runner failed to start three times. */
  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    if (this.failedStarts >= MAX_FAILED_STARTS)
      return Promise.reject(new Error(`sandboxes fail to start: ${this.lastFailure}`));
    if (this.closed) return Promise.reject(new Error("the grading pool is closed"));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private settleWaiters(error?: Error): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  private startRunner(): void {
    if (this.closed || this.runner || this.failedStarts >= MAX_FAILED_STARTS) return;
    const { limits } = this.options;
    const runner = new SandboxProcess({
      ...this.options,
      nodeArgs: ["--no-warnings", "--max-old-space-size=256", this.paths.runner],
      env: [
        ...sandboxEnv(limits),
        ["WIRELAB_APP_DIR", this.paths.appDir],
        ["WIRELAB_EXERCISES_DIR", this.paths.exercisesDir],
      ],
      countOutput: false,
    });
    this.runner = runner;
    this.served = 0;
    let becameReady = false;
    this.readResults(runner, runner.child.stdout!, (message) => {
      if (message.type !== "ready" || this.collecting) return;
      becameReady = true;
      this.failedStarts = 0;
      this.isReady = true;
      this.settleWaiters();
    });
    runner.child.on("message", (request: RunnerRequest) => this.onRunnerRequest(runner, request));
    void runner.exited.then(() => {
      if (this.runner !== runner) return; // replaced on purpose
      this.runner = null;
      this.isReady = false;
      this.worker?.process.kill();
      if (this.collecting) {
        this.collecting.finished(); // grade() starts the next runner
        return;
      }
      if (this.closed) return;
      if (!becameReady) {
        this.failedStarts++;
        this.lastFailure = `runner exited before it was ready: ${runner.stderrTail.slice(-500)}`;
        if (this.failedStarts >= MAX_FAILED_STARTS) {
          this.settleWaiters(new Error(`sandboxes fail to start: ${this.lastFailure}`));
          return;
        }
      }
      setTimeout(() => this.startRunner(), becameReady ? 0 : 500).unref();
    });
  }

  /** Results lines on the runner's stdout: only `ready` while idle, nonce-tagged messages while grading. */
  private readResults(
    runner: SandboxProcess,
    stream: Readable,
    onIdleMessage: (message: RunnerMessage) => void,
  ): void {
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      if (this.runner !== runner) return;
      const collecting = this.collecting;
      if (collecting) {
        collecting.resultsBytes += Buffer.byteLength(chunk);
        if (collecting.resultsBytes > PROTOCOL_LIMITS.resultsBytes) {
          collecting.resultsExceeded = true;
          collecting.finished();
          return;
        }
      }
      pending += chunk;
      if (pending.length > PROTOCOL_LIMITS.resultsBytes) pending = "";
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        this.acceptLine(line, onIdleMessage);
      }
    });
    stream.on("error", () => {});
  }

  private acceptLine(line: string, onIdleMessage: (message: RunnerMessage) => void): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const message = parsed as (RunnerMessage & { nonce?: unknown }) | undefined;
    const collecting = this.collecting;
    if (!collecting) {
      if (message && isValidMessage(message) && message.nonce === "") onIdleMessage(message);
      return;
    }
    if (!message || !isValidMessage(message) || message.nonce !== collecting.nonce) {
      collecting.rejectedLines++;
      return;
    }
    collecting.messages.push(message);
    collecting.onMessage(message);
    if (message.type === "done" || message.type === "limit") collecting.finished();
  }

  private onRunnerRequest(runner: SandboxProcess, request: RunnerRequest): void {
    if (this.runner !== runner || typeof request !== "object" || request === null) return;
    if (request.type === "spawn-worker") {
      // One worker at a time: the next starts once the last one is gone.
      if (this.worker) {
        if (this.deferredSpawn)
          this.notify({
            type: "worker-exit",
            worker: this.deferredSpawn.worker,
            code: null,
            signal: null,
          });
        this.deferredSpawn = request;
      } else {
        this.spawnWorker(request);
      }
    } else if (request.type === "to-worker") {
      if (this.worker?.id === request.worker) this.worker.process.send(request.message);
    } else if (request.type === "stop-worker") {
      if (this.worker?.id === request.worker) this.worker.process.kill();
    }
  }

  private notify(notice: GraderNotice): void {
    this.runner?.send(notice);
  }

  private spawnWorker(request: Extract<RunnerRequest, { type: "spawn-worker" }>): void {
    const { worker: id, entry, execArgv, env } = request;
    const valid =
      Number.isInteger(id) &&
      entry === this.paths.workerEntry &&
      Array.isArray(execArgv) &&
      execArgv.length <= 32 &&
      execArgv.every(
        (arg) => typeof arg === "string" && EXEC_ARG.test(arg) && !/inspect/.test(arg),
      ) &&
      typeof env === "object" &&
      env !== null &&
      Object.entries(env).every(
        ([key, value]) => /^VITEST\w*$/.test(key) && typeof value === "string",
      );
    if (!valid) {
      this.notify({ type: "worker-exit", worker: id, code: null, signal: null });
      return;
    }
    const { limits } = this.options;
    const worker = new SandboxProcess({
      ...this.options,
      // The heap limit comes last, so it wins over anything before it.
      nodeArgs: [...execArgv, `--max-old-space-size=${limits.heapMb}`, entry],
      env: [...sandboxEnv(limits), ...Object.entries(env)],
      countOutput: true,
    });
    this.worker = { id, process: worker };
    worker.child.once("spawn", () => this.notify({ type: "worker-spawned", worker: id }));
    worker.child.on("message", (message: unknown) => {
      if (this.worker?.process === worker)
        this.notify({ type: "from-worker", worker: id, message });
    });
    void worker.exited.then(() => {
      this.notify({
        type: "worker-exit",
        worker: id,
        code: worker.child.exitCode,
        signal: worker.child.signalCode,
      });
      // A warm worker that died while waiting: the runner starts another.
      if (this.worker?.process === worker && !this.grading) {
        this.worker = null;
        this.isReady = false;
        this.spawnDeferred();
      }
    });
  }

  /**
   * Grade one submission on the warm worker (waiting for it if needed).
   * The slot must have been claimed.
   */
  async run(
    submission: Submission,
    onMessage: (message: RunnerMessage) => void,
  ): Promise<SandboxOutcome> {
    this.busy = true;
    try {
      await this.whenReady();
      this.grading = true;
      return await this.grade(submission, onMessage);
    } finally {
      this.busy = false;
      this.grading = false;
      if (!this.closed) {
        if (!this.runner) this.startRunner();
        this.spawnDeferred();
      }
    }
  }

  private spawnDeferred(): void {
    const deferred = this.deferredSpawn;
    if (!deferred || this.worker || this.closed) return;
    this.deferredSpawn = null;
    this.spawnWorker(deferred);
  }

  private async grade(
    submission: Submission,
    onMessage: (message: RunnerMessage) => void,
  ): Promise<SandboxOutcome> {
    const started = performance.now();
    const runner = this.runner;
    const worker = this.worker?.process;
    this.isReady = false;
    if (!runner || !worker) {
      return {
        messages: [],
        rejectedLines: 0,
        timedOut: false,
        outputExceeded: false,
        resultsExceeded: false,
        oomKilled: false,
        pidsExhausted: false,
        stderrTail: "the grading sandbox ended before the submission was handed over",
        durationMs: 0,
      };
    }
    let timedOut = false;
    const collecting: Collecting = {
      nonce: randomBytes(18).toString("base64url"),
      messages: [],
      rejectedLines: 0,
      resultsBytes: 0,
      resultsExceeded: false,
      onMessage,
      finished: () => {},
    };
    const finished = new Promise<void>((resolve) => (collecting.finished = resolve));
    this.collecting = collecting;
    const timer = setTimeout(() => {
      timedOut = true;
      collecting.finished();
    }, this.options.limits.timeLimitMs);
    // The output limit kills the worker; its results then never come.
    void worker.exited.then(() => {
      if (worker.outputExceeded) collecting.finished();
    });
    runner.child.stdin!.write(JSON.stringify({ ...submission, nonce: collecting.nonce }) + "\n");
    await finished;
    clearTimeout(timer);
    this.collecting = null;
    const complete = collecting.messages.some((m) => m.type === "done");
    // Results are in (or never will be): nothing the solution left behind may keep running.
    worker.kill();
    await worker.exited;
    if (this.worker?.process === worker) this.worker = null;
    this.served++;
    const abnormal =
      !complete ||
      timedOut ||
      collecting.resultsExceeded ||
      collecting.rejectedLines > 0 ||
      worker.outputExceeded ||
      !runner.alive;
    if (abnormal || this.served >= this.options.runnerReuse) this.replaceRunner(runner);
    return {
      messages: collecting.messages,
      rejectedLines: collecting.rejectedLines,
      timedOut,
      outputExceeded: worker.outputExceeded,
      resultsExceeded: collecting.resultsExceeded,
      oomKilled: worker.oomKilled,
      pidsExhausted: worker.pidsExhausted,
      stderrTail: (worker.stderrTail + runner.stderrTail).slice(-4000),
      durationMs: performance.now() - started,
    };
  }

  private replaceRunner(runner: SandboxProcess): void {
    if (this.runner === runner) this.runner = null;
    this.deferredSpawn = null;
    this.isReady = false;
    runner.kill();
    // A worker started for this runner has no one to talk to.
    this.worker?.process.kill();
    this.worker = null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.settleWaiters(new Error("the grading pool is closed"));
    const worker = this.worker?.process;
    const runner = this.runner;
    this.runner = null;
    await Promise.all([worker?.dispose(), runner?.dispose()]);
  }
}
