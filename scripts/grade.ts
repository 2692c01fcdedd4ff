/**
 * Grade a solution from the command line, through the same sandboxed path as
 * the server:
 *
 *   node scripts/grade.ts <exercise-id> [path/to/solution.ts]
 *
 * Without a path, grades the exercise's own `exercises/<id>/solution.ts` (the
 * starter, or whatever you edited there). Exit status 0 only on pass.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { GradeRejection, Grader } from "../sandbox-server/grading/grader.ts";
import type { GradeResult } from "../sandbox-server/grading/results.ts";

const [id, file] = process.argv.slice(2);
if (!id || id === "--help" || id === "-h") {
  console.error("usage: node scripts/grade.ts <exercise-id> [path/to/solution.ts]");
  process.exit(2);
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const MARK = { pass: paint("32", "✓"), fail: paint("31", "✗"), skip: paint("33", "-") };

function print(result: GradeResult): void {
  for (const test of result.tests) {
    console.log(`${MARK[test.status]} ${test.name}`);
    if (test.status !== "pass" && test.message)
      console.log(`    ${test.message.split("\n").join("\n    ")}`);
    if (test.expected !== undefined) console.log(`    expected: ${test.expected}`);
    if (test.actual !== undefined) console.log(`    received: ${test.actual}`);
  }
  if (result.output) console.log(paint("2", `\nconsole output:\n${result.output}`));
  if (result.message) console.log(`\n${result.message}`);
  const passed = result.tests.filter((t) => t.status === "pass").length;
  const label = {
    pass: paint("32", "PASS"),
    fail: paint("31", "FAIL"),
    error: paint("31", "ERROR"),
  }[result.status];
  console.log(
    `\n${label} ${passed}/${result.tests.length} tests passed in ${result.durationMs} ms`,
  );
}

let grader: Grader | undefined;
let exitCode: number;
try {
  grader = await Grader.create({
    warm: false,
    concurrency: 1,
    bubblewrap: process.env.WIRELAB_UNSAFE ? false : "auto",
  });
  for (const line of grader.describe()) console.error(paint("2", line));
  const exercise = grader.exercise(id);
  if (!exercise) {
    console.error(
      `Unknown exercise "${id}". Known: ${grader.exercises.map((e) => e.id).join(", ")}`,
    );
    process.exit(2);
  }
  if (!grader.description.sandboxed && !process.env.WIRELAB_UNSAFE) {
    console.error(
      "No working bubblewrap sandbox here; set WIRELAB_UNSAFE=1 to grade your own code without one.",
    );
    process.exit(2);
  }
  const path = resolve(file ?? `${exercise.dir}/solution.ts`);
  const solution = readFileSync(path, "utf8");
  const result = await grader.grade({
    exercise: id,
    files: { "solution.ts": solution },
    client: "cli",
  });
  print(result);
  exitCode = result.status === "pass" ? 0 : 1;
} catch (error) {
  console.error(error instanceof GradeRejection ? error.message : error);
  exitCode = 2;
} finally {
  await grader?.close();
}
process.exit(exitCode);
