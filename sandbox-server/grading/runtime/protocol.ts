/**
 * What the grader and the in-sandbox runner say to each other. Imported by
 * both sides: keep it free of Node APIs so it loads anywhere.
 */

/** Sent on the runner's stdin, one line of JSON per submission. */
export interface Submission {
  /** Random per submission; every results line must carry it back. */
  nonce: string;
  exercise: string;
  /** Test files relative to the exercises folder (`<id>/solution.test.ts`). */
  testFiles: string[];
  /** Content of the student's `solution.ts`. */
  solution: string;
}

export interface RunnerTestResult {
  name: string;
  status: "pass" | "fail" | "skip";
  message?: string;
  expected?: string;
  actual?: string;
}

/** One line of JSON on the runner's stdout, the results channel. */
export type RunnerMessage =
  | { type: "ready" }
  | { type: "test"; test: RunnerTestResult }
  | { type: "done"; errors: string[]; console: string }
  /** The solution printed more than the output limit; the runner stops. */
  | { type: "limit"; limit: "output" };

/**
 * The runner's requests on its IPC channel. Its vitest pool does not start
 * processes itself: it asks the grader, which starts each vitest worker in a
 * fresh sandbox of its own and relays the worker's messages both ways.
 */
export type RunnerRequest =
  | {
      type: "spawn-worker";
      worker: number;
      entry: string;
      execArgv: string[];
      env: Record<string, string>;
    }
  | { type: "to-worker"; worker: number; message: unknown }
  | { type: "stop-worker"; worker: number };

/** The grader's side of the IPC channel. */
export type GraderNotice =
  | { type: "worker-spawned"; worker: number }
  | { type: "from-worker"; worker: number; message: unknown }
  | { type: "worker-exit"; worker: number; code: number | null; signal: string | null };

/** Between the runner and `entry.test.ts` in the worker, through the relay. */
export type EntrySignal =
  /** The worker is warm and blocked, waiting for a submission. */
  | { wirelab: "waiting" }
  /** The submission is in place: import these test files (absolute paths). */
  | { wirelab: "go"; testFiles: string[] };

export const PROTOCOL_LIMITS = {
  /** Longest accepted submission on stdin, in bytes. */
  submissionBytes: 256 * 1024,
  /** Longest assertion message kept per test, in characters. */
  messageChars: 4000,
  /** Longest `expected` / `actual` kept per test, in characters. */
  valueChars: 2000,
  /** Student console output kept, in characters. */
  consoleChars: 8000,
  /** Most bytes the grader reads from the results channel (the runner's stdout). */
  resultsBytes: 512 * 1024,
};

/** Packages a solution may import (and their subpaths). */
export const ALLOWED_PACKAGES = ["ws", "socket.io", "socket.io-client"];

/**
 * Node built-ins a solution may not import. Defence in depth only: the
 * sandbox, not this list, is what contains a hostile solution
 * (`process.getBuiltinModule` bypasses module resolution entirely).
 */
export const BLOCKED_BUILTINS = [
  "child_process",
  "cluster",
  "inspector",
  "module",
  "repl",
  "trace_events",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
];

export function isAllowedSolutionImport(
  source: string,
  isBuiltin: (name: string) => boolean,
): boolean {
  if (isBuiltin(source)) {
    const name = source.replace(/^node:/, "").split("/")[0];
    return !BLOCKED_BUILTINS.includes(name);
  }
  return ALLOWED_PACKAGES.some((name) => source === name || source.startsWith(name + "/"));
}

export function describeBlockedImport(source: string): string {
  return (
    `solution.ts may not import "${source}". ` +
    `Allowed: Node built-ins (except ${BLOCKED_BUILTINS.join(", ")}) and the packages ${ALLOWED_PACKAGES.join(", ")}.`
  );
}
