// Every exercise through the real grading path (sandbox, vitest inside):
// its reference solution passes every test, its starter fails at least one.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Grader } from "../../sandbox-server/grading/grader.ts";
import { loadExercises } from "../../sandbox-server/grading/exercises.ts";
import type { GradeResult } from "../../sandbox-server/grading/results.ts";

const exercises = loadExercises(new URL("../../exercises", import.meta.url).pathname);
let grader: Grader;

beforeAll(async () => {
  grader = await Grader.create({ concurrency: 2 });
});

afterAll(async () => {
  await grader?.close();
});

const explain = (result: GradeResult) =>
  JSON.stringify(
    {
      status: result.status,
      message: result.message,
      failing: result.tests.filter((t) => t.status !== "pass"),
    },
    null,
    2,
  );

describe.concurrent("exercises", () => {
  for (const exercise of exercises) {
    test(
      `${exercise.id}: the reference solution passes every test`,
      { timeout: 90_000 },
      async () => {
        const result = await grader.grade({
          exercise: exercise.id,
          files: { "solution.ts": exercise.reference },
          client: `${exercise.id}-ref`,
        });
        expect(result.status, explain(result)).toBe("pass");
        expect(result.tests.length).toBeGreaterThan(0);
        expect(result.tests.every((t) => t.status === "pass")).toBe(true);
      },
    );

    test(`${exercise.id}: the starter fails at least one test`, { timeout: 90_000 }, async () => {
      const result = await grader.grade({
        exercise: exercise.id,
        files: { "solution.ts": exercise.starter },
        client: `${exercise.id}-starter`,
      });
      expect(result.status, explain(result)).toBe("fail");
      expect(result.tests.some((t) => t.status === "fail")).toBe(true);
    });
  }
});
