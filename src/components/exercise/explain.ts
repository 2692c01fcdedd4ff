/**
 * Turns a grader `error` result (nothing could run) into words a student can
 * act on, and finds the line of solution.ts it points at when there is one.
 * Pure: no DOM, so it is unit-tested directly.
 */
import type { GradeResult } from "./grade-client.ts";

export type ErrorKind =
  | "syntax"
  | "timeout"
  | "memory"
  | "import"
  | "output"
  | "processes"
  | "untrusted"
  | "crash"
  | "other";

export interface Explanation {
  kind: ErrorKind;
  /** A short heading: "Syntax error on line 4". */
  title: string;
  /** What happened and what to look for. */
  detail: string;
  /** 1-based line in solution.ts, when known. */
  line?: number;
  column?: number;
}

const KIND_PATTERNS: [ErrorKind, RegExp][] = [
  ["timeout", /time ?out|timed out|time limit|wall[- ]clock|took (?:longer|more) than/i],
  ["memory", /out of memory|heap|ENOMEM|memory limit|allocation failed|oom/i],
  ["import", /may not import|cannot find (?:module|package)|ERR_MODULE_NOT_FOUND/i],
  ["output", /output limit|too much output|printed too much|output (?:was )?too large/i],
  ["processes", /too many processes|pids|fork/i],
  ["untrusted", /could not be trusted|forg/i],
  [
    "syntax",
    /syntax ?error|transform failed|unexpected token|unterminated|expected .+ but found|ERR_INVALID_TYPESCRIPT_SYNTAX|parse error|TS1\d{3}/i,
  ],
  ["crash", /process\.exit|exited|killed|signal|crash/i],
];

/** Maps the grader's own kind names onto ours. */
function kindFromGrader(kind: string | undefined): ErrorKind | undefined {
  if (!kind) return undefined;
  const lower = kind.toLowerCase();
  if (lower.includes("syntax") || lower.includes("compile")) return "syntax";
  if (lower.includes("time")) return "timeout";
  if (lower.includes("mem") || lower === "oom") return "memory";
  if (lower.includes("import") || lower.includes("module")) return "import";
  if (lower.includes("output")) return "output";
  if (lower.includes("crash") || lower.includes("exit") || lower.includes("signal")) return "crash";
  return undefined;
}

/** The line (and column) of solution.ts an error message points at, if it names one. */
export function errorLocation(message: string): { line: number; column?: number } | undefined {
  const patterns = [
    /solution\.ts[:(](\d+)(?:[:,](\d+))?/i,
    /\bline (\d+)(?:,? col(?:umn)? (\d+))?/i,
    /\((\d+):(\d+)\)/,
    /^\s*(\d+):(\d+)/m,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(message);
    if (match) {
      const line = Number(match[1]);
      if (line > 0) return { line, column: match[2] ? Number(match[2]) : undefined };
    }
  }
  return undefined;
}

/** "within 10 s" → 10. */
function seconds(message: string): number | undefined {
  const match = /(\d+(?:\.\d+)?)\s*(?:s|seconds?)\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}

export function explainError(result: GradeResult, timeLimitSeconds = 10): Explanation {
  const message = result.message ?? "";
  const kind =
    kindFromGrader(result.kind) ??
    KIND_PATTERNS.find(([, pattern]) => pattern.test(message))?.[0] ??
    "other";
  const location =
    result.line !== undefined
      ? { line: result.line, column: result.column }
      : errorLocation(message);
  const where = location ? ` on line ${location.line}` : "";
  switch (kind) {
    case "syntax":
      return {
        kind,
        title: `Syntax error${where}`,
        detail: `solution.ts could not be read as TypeScript${where}, so none of the tests could run. Look for a missing bracket, quote or comma${location ? " on that line or just before it" : ""}.`,
        ...location,
      };
    case "timeout":
      return {
        kind,
        title: "Time limit reached",
        detail: `The tests were still running after ${seconds(message) ?? timeLimitSeconds} seconds, so the grader stopped them. Look for a loop that never ends, or a promise that never settles: a server that never starts listening, a missing resolve(), a socket that is never closed.`,
        ...location,
      };
    case "memory":
      return {
        kind,
        title: "Out of memory",
        detail:
          "Your code used more memory than the sandbox allows, so it was stopped. Look for an array, string or Buffer that keeps growing, or a loop that never ends while collecting data.",
        ...location,
      };
    case "import":
      return {
        kind,
        title: `An import is not allowed${where}`,
        detail:
          "solution.ts may import Node's built-in modules and the packages ws, socket.io and socket.io-client, nothing else.",
        ...location,
      };
    case "output":
      return {
        kind,
        title: "Too much output",
        detail:
          "Your code printed more than the grader keeps, so it was stopped. Remove console.log calls inside loops.",
        ...location,
      };
    case "processes":
      return {
        kind,
        title: "Too many processes",
        detail:
          "Your code started more processes or threads than the sandbox allows, so it was stopped. Solutions don't need to start processes.",
        ...location,
      };
    case "untrusted":
      return {
        kind,
        title: "Results could not be trusted",
        detail:
          "Something wrote to the grader's results channel or reported tests that don't exist, so nothing was graded. Don't print JSON lines to stdout or change the test framework.",
        ...location,
      };
    case "crash":
      return {
        kind,
        title: "The test run crashed",
        detail:
          "The process running the tests ended before reporting results (for example process.exit() or an uncaught error in a callback). Remove process.exit() and catch errors in event handlers.",
        ...location,
      };
    default:
      return {
        kind,
        title: `The tests could not run${where}`,
        detail: "The grader could not run the tests on this code. Its message is below.",
        ...location,
      };
  }
}
