/**
 * The only test file vitest is asked to run. It is collected while the
 * sandbox waits in the warm pool: the vitest worker is already forked and
 * warm when it blocks here, before any student code exists. Once the runner
 * has written the submission, this imports the exercise's own test files,
 * whose tests are then collected into this module and run as usual.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const workDir = process.env.WIRELAB_WORK_DIR ?? "/tmp/work";
const exercisesDir = process.env.WIRELAB_EXERCISES_DIR ?? "/app/exercises";

if (process.env.WIRELAB_DEBUG) {
  const u = process.cpuUsage();
  console.error(
    `worker: cpu ${Math.round((u.user + u.system) / 1000)} ms, wall ${Math.round(performance.now())} ms`,
  );
}
writeFileSync(`${workDir}/.worker-waiting`, "");
while (!existsSync(`${workDir}/submission.json`)) {
  await new Promise((resolve) => setTimeout(resolve, 4));
}
const { testFiles } = JSON.parse(readFileSync(`${workDir}/submission.json`, "utf8")) as {
  testFiles: string[];
};
for (const file of testFiles) {
  await import(/* @vite-ignore */ `${exercisesDir}/${file}`);
}
