/**
 * Turning what came out of a sandbox into a grade. Nothing from the sandbox
 * is trusted as-is: every message is schema-checked, test names must be the
 * exercise's own (found statically in its test files), and anything short of
 * "every known test reported passed, nothing else went wrong" is not `pass`.
 *
 * Status semantics follow Exercism's test runners:
 * - `pass`: every test passed;
 * - `fail`: the tests ran and at least one failed;
 * - `error`: the tests could not be run (syntax error, timeout, out of
 *   memory, crash), explained in `message`.
 */
import type { RunnerMessage, RunnerTestResult } from "./runtime/protocol.ts";
import { PROTOCOL_LIMITS } from "./runtime/protocol.ts";
import type { SandboxOutcome } from "./slot.ts";

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
  message?: string;
  /** Console output of the solution and tests, capped. */
  output?: string;
  durationMs: number;
}

const isString = (value: unknown, max: number) => typeof value === "string" && value.length <= max;

/** Schema check of one results line. */
export function isValidMessage(value: unknown): value is RunnerMessage {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "ready":
      return true;
    case "test": {
      const test = message.test as Record<string, unknown> | null;
      if (typeof test !== "object" || test === null) return false;
      const limit = PROTOCOL_LIMITS.messageChars + 1;
      return (
        isString(test.name, 1000) &&
        (test.status === "pass" || test.status === "fail" || test.status === "skip") &&
        (test.message === undefined || isString(test.message, limit)) &&
        (test.expected === undefined || isString(test.expected, PROTOCOL_LIMITS.valueChars + 1)) &&
        (test.actual === undefined || isString(test.actual, PROTOCOL_LIMITS.valueChars + 1))
      );
    }
    case "limit":
      return message.limit === "output";
    case "done":
      return (
        Array.isArray(message.errors) &&
        message.errors.length <= 100 &&
        message.errors.every((e) => isString(e, PROTOCOL_LIMITS.messageChars + 1)) &&
        isString(message.console, PROTOCOL_LIMITS.consoleChars + 1)
      );
    default:
      return false;
  }
}

/** Paths inside the sandbox mean nothing to a student: show `solution.ts:3:7`. */
export function cleanMessage(text: string): string {
  return (
    text
      .replace(/(?:file:\/\/)?\/(?:tmp\/work|[^\s'"()]*?\/work)\/solution\.ts/g, "solution.ts")
      .replace(/(?:file:\/\/)?\/[^\s'"()]*?\/exercises\/[a-z0-9-]+\/([\w.-]+\.test\.ts)/g, "$1")
      // eslint-disable-next-line no-control-regex -- stripping ANSI colour codes (ESC [ … m)
      .replace(/\u001b\[[0-9;]*m/g, "")
  );
}

function describeError(errors: string[]): string {
  const first = cleanMessage(errors[0] ?? "");
  const syntax = /solution\.ts:(\d+):(\d+)/.exec(first);
  if (
    /Transform failed|SyntaxError|Expected .* but found|Unexpected token|PARSE_ERROR|Parse error/i.test(
      first,
    )
  ) {
    return syntax
      ? `Your code could not be compiled: syntax error in solution.ts at line ${syntax[1]}, column ${syntax[2]}.\n${first}`
      : `Your code could not be compiled (syntax error).\n${first}`;
  }
  if (/may not import/.test(first)) return first;
  if (/Worker [\w-]+ emitted error|Worker exited unexpectedly/i.test(first)) {
    // The sandbox killed the process running the tests: in practice the memory limit.
    return `The tests crashed: the process running them died, most likely out of memory.\n${first}`;
  }
  return `The tests could not run: ${first}`;
}

export interface GradeContext {
  /** Full names of the exercise's tests, from its test files. */
  expectedTests: string[];
  timeLimitMs: number;
  memoryBytes: number | null;
  pidsLimit: number | null;
}

export function buildResult(outcome: SandboxOutcome, context: GradeContext): GradeResult {
  const durationMs = Math.round(outcome.durationMs);
  const done = outcome.messages.find(
    (m): m is Extract<RunnerMessage, { type: "done" }> => m.type === "done",
  );
  const reported = new Map<string, TestResult>();
  let forged = false;
  for (const message of outcome.messages) {
    if (message.type !== "test") continue;
    const test: RunnerTestResult = message.test;
    if (!context.expectedTests.includes(test.name) || reported.has(test.name)) {
      forged = true;
      continue;
    }
    reported.set(test.name, {
      name: test.name,
      status: test.status,
      ...(test.message !== undefined ? { message: cleanMessage(test.message) } : {}),
      ...(test.expected !== undefined ? { expected: test.expected } : {}),
      ...(test.actual !== undefined ? { actual: test.actual } : {}),
    });
  }
  const tests = context.expectedTests.map(
    (name) => reported.get(name) ?? { name, status: "skip" as const },
  );
  const output = done?.console ? done.console : undefined;
  const error = (message: string): GradeResult => ({
    status: "error",
    tests: tests.map((t) => (reported.has(t.name) ? t : { ...t, message: "did not run" })),
    message,
    ...(output ? { output } : {}),
    durationMs,
  });

  if (outcome.timedOut) {
    const failed = [...reported.values()].some((t) => t.status === "fail");
    const message =
      `Time limit exceeded: the tests did not finish within ${context.timeLimitMs / 1000} s and were stopped. ` +
      `Look for an infinite loop, or a promise or server that never settles or closes.`;
    // Tests that already failed are real feedback: report them as a failure.
    if (failed) {
      return {
        status: "fail",
        tests: tests.map((t) =>
          reported.has(t.name) ? t : { ...t, message: "did not finish before the time limit" },
        ),
        message,
        ...(output ? { output } : {}),
        durationMs,
      };
    }
    return error(
      `Time limit exceeded: the tests did not finish within ${context.timeLimitMs / 1000} s and were stopped. ` +
        `Look for an infinite loop, or a promise or server that never settles or closes.`,
    );
  }
  // The worker's own stderr says when V8 hit the heap limit.
  const heapExhausted = /heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY/i.test(
    outcome.stderrTail,
  );
  if (heapExhausted && !outcome.oomKilled)
    return error("Out of memory: your code used more memory than the limit and was stopped.");
  if (outcome.oomKilled) {
    const limit = context.memoryBytes ? ` (${Math.round(context.memoryBytes / 2 ** 20)} MiB)` : "";
    return error(
      `Out of memory: your code used more memory than the limit${limit} and was stopped.`,
    );
  }
  if (
    outcome.outputExceeded ||
    outcome.resultsExceeded ||
    outcome.messages.some((m) => m.type === "limit")
  ) {
    return error("Output limit exceeded: your code printed too much and was stopped.");
  }
  if (forged || outcome.rejectedLines > 0) {
    return error(
      "The test results could not be trusted (unexpected output on the results channel), so nothing was graded.",
    );
  }
  if (!done) {
    if (outcome.pidsExhausted) {
      return error(
        `Too many processes: your code tried to start more than ${context.pidsLimit} processes or threads and was stopped.`,
      );
    }
    return error(
      "The test run crashed before reporting results (did your code call process.exit() or kill a process?).",
    );
  }
  const failures = done.errors.map(cleanMessage);
  const heapError = failures.find((e) =>
    /heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY|Worker exited unexpectedly|Worker [\w-]+ emitted error|Channel closed/i.test(
      e,
    ),
  );
  if (reported.size === 0) {
    if (heapError || outcome.pidsExhausted) {
      if (outcome.pidsExhausted) {
        return error(
          `Too many processes: your code tried to start more than ${context.pidsLimit} processes or threads and was stopped.`,
        );
      }
      return error(
        `The test run crashed: ${heapError}. If your code builds a very large array or buffer, it may have run out of memory.`,
      );
    }
    return error(
      failures.length > 0
        ? describeError(failures)
        : "No test ran. Does solution.ts export what the tests import?",
    );
  }
  const allKnownPassed = context.expectedTests.every(
    (name) => reported.get(name)?.status === "pass",
  );
  if (allKnownPassed && failures.length === 0) {
    return { status: "pass", tests, ...(output ? { output } : {}), durationMs };
  }
  const anyFailed = tests.some((t) => t.status === "fail");
  const message =
    failures.length > 0
      ? `Errors outside the tests: ${failures.slice(0, 3).join("\n")}`
      : anyFailed
        ? undefined
        : "Not every test ran.";
  return {
    status: "fail",
    tests: tests.map((t) => (reported.has(t.name) ? t : { ...t, message: "did not run" })),
    ...(message ? { message } : {}),
    ...(output ? { output } : {}),
    durationMs,
  };
}
