// One long-lived runner per slot, a fresh worker sandbox per submission:
// what one submission leaves behind never reaches the next, a replaced
// runner grades on correctly, and results always belong to their submission.
import { afterAll, beforeAll, expect, test } from "vitest";
import { Grader } from "../../sandbox-server/grading/grader.ts";
import type { GradeResult } from "../../sandbox-server/grading/results.ts";

const EXERCISE = "handshake-accept";
let grader: Grader;
let reference: string;
let starter: string;

beforeAll(async () => {
  // A runner serves 3 submissions here, so the sequence below crosses two replacements.
  grader = await Grader.create({
    concurrency: 1,
    runnerReuse: 3,
    timeLimitMs: 4000,
    testTimeoutMs: 3000,
  });
  const exercise = grader.exercise(EXERCISE)!;
  reference = exercise.reference;
  starter = exercise.starter;
}, 120_000);

afterAll(() => grader?.close());

let client = 0;
const grade = (solution: string): Promise<GradeResult> =>
  grader.grade({
    exercise: EXERCISE,
    files: { "solution.ts": solution },
    client: `slot-${++client}`,
  });

/** A solution that fails every test with whatever `probe` evaluates to as the answer. */
const probing = (probe: string) => `
import { existsSync, readdirSync, writeFileSync } from "node:fs";
void existsSync; void readdirSync; void writeFileSync;
const seen = (() => { ${probe} })();
export function acceptKey(key: string): string { return "probe:" + JSON.stringify(seen); }
`;
const probeOf = (result: GradeResult): unknown => {
  const actual = result.tests.find((t) => t.actual?.startsWith("probe:"))?.actual;
  expect(actual, JSON.stringify(result)).toBeDefined();
  return JSON.parse(actual!.slice("probe:".length)) as unknown;
};

test(
  "each submission's tests run in a fresh sandbox: files left in /tmp are gone for the next one",
  { timeout: 60_000 },
  async () => {
    const first = await grade(
      probing(`writeFileSync("/tmp/left-behind", "x"); return existsSync("/tmp/left-behind");`),
    );
    expect(probeOf(first)).toBe(true);
    const second = await grade(probing(`return existsSync("/tmp/left-behind");`));
    expect(probeOf(second)).toBe(false);
    // Nor can it see the runner's copy of anybody's solution.
    const third = await grade(probing(`return existsSync("/tmp/work/solution.ts");`));
    expect(probeOf(third)).toBe(false);
  },
);

test(
  "alternating passing and failing code on reused and replaced runners: every result is its own",
  { timeout: 120_000 },
  async () => {
    const sequence = [reference, starter, starter, reference, reference, starter, reference];
    const statuses: string[] = [];
    for (const code of sequence) statuses.push((await grade(code)).status);
    expect(statuses).toEqual(["pass", "fail", "fail", "pass", "pass", "fail", "pass"]);
  },
);

test(
  "a time limit replaces the runner, and the next submission is graded normally",
  { timeout: 60_000 },
  async () => {
    const looping = await grader.grade({
      exercise: EXERCISE,
      files: { "solution.ts": `export function acceptKey(k: string): string { while (true) {} }` },
      client: "slot-loop",
    });
    expect(looping.status).toBe("error");
    expect(looping.message).toMatch(/time limit/i);
    expect((await grade(reference)).status).toBe("pass");
  },
);

test(
  "without bubblewrap (unsafe, trusted local use) the same runner and worker path grades",
  { timeout: 60_000 },
  async () => {
    const unsandboxed = await Grader.create({ concurrency: 1, bubblewrap: false, cgroups: "off" });
    try {
      expect(unsandboxed.description.sandboxed).toBe(false);
      const run = (solution: string) =>
        unsandboxed.grade({
          exercise: EXERCISE,
          files: { "solution.ts": solution },
          client: "local",
        });
      expect((await run(reference)).status).toBe("pass");
      expect((await run(starter)).status).toBe("fail");
    } finally {
      await unsandboxed.close();
    }
  },
);
