/**
 * Grading latency benchmark.
 *
 *   node bench/grading-latency.ts [--warm 30] [--cold 5] [--burst 60] [--exercise handshake-accept]
 *
 * 1. warm: one submission at a time, each handed to an already-warm sandbox
 *    (the pool is refilled between runs); p50 / p95 of request → result;
 * 2. cold: `npx vitest run` of the same exercise's tests with the reference
 *    solution, in a fresh process each time (what grading without a warm
 *    pool and without a sandbox would cost at least);
 * 3. burst: N submissions from N students at once; time until the last
 *    result and the longest queue wait (request → sandbox handed over).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Grader } from "../sandbox-server/grading/grader.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1]);
const WARM_RUNS = Number(args.get("warm") ?? 30);
const COLD_RUNS = Number(args.get("cold") ?? 5);
const BURST = Number(args.get("burst") ?? 60);
const EXERCISE = args.get("exercise") ?? "handshake-accept";

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => `${Math.round(value)} ms`;

const grader = await Grader.create();
for (const line of grader.describe()) console.log(line);
const exercise = grader.exercise(EXERCISE);
if (!exercise) throw new Error(`unknown exercise ${EXERCISE}`);
const files = { "solution.ts": exercise.reference };
console.log(
  `cores: ${availableParallelism()}, load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);

// 1. Warm latency.
const warm: number[] = [];
for (let i = 0; i < WARM_RUNS; i++) {
  await grader.pool.whenWarm();
  const started = performance.now();
  let wasWarm = false;
  const result = await grader.grade({ exercise: EXERCISE, files, client: `warm-${i}` }, (event) => {
    if (event.type === "started") wasWarm = event.warm;
  });
  if (result.status !== "pass")
    throw new Error(`warm run ${i}: ${result.status} ${result.message ?? ""}`);
  if (wasWarm) warm.push(performance.now() - started);
}
const warmP50 = percentile(warm, 50);
const warmP95 = percentile(warm, 95);
console.log(`warm: ${warm.length} runs, p50 ${ms(warmP50)}, p95 ${ms(warmP95)}`);

// 2. Cold `npx vitest run` of the same tests.
const coldDir = mkdtempSync(join(tmpdir(), "wirelab-cold-"));
symlinkSync(join(root, "node_modules"), join(coldDir, "node_modules"));
for (const file of exercise.testFiles) copyFileSync(join(exercise.dir, file), join(coldDir, file));
writeFileSync(join(coldDir, "solution.ts"), exercise.reference);
writeFileSync(
  join(coldDir, "vitest.config.mjs"),
  'export default { test: { include: ["*.test.ts"] } };\n',
);
writeFileSync(join(coldDir, "package.json"), '{"type":"module"}\n');
const cold: number[] = [];
for (let i = 0; i < COLD_RUNS; i++) {
  const started = performance.now();
  execFileSync("npx", ["vitest", "run", "--root", coldDir], {
    cwd: coldDir,
    stdio: "pipe",
    env: { ...process.env, CI: "1" },
  });
  cold.push(performance.now() - started);
}
rmSync(coldDir, { recursive: true, force: true });
const coldP50 = percentile(cold, 50);
console.log(
  `cold npx vitest run: ${cold.length} runs, p50 ${ms(coldP50)} (${(coldP50 / warmP50).toFixed(1)}x the warm p50)`,
);

// 3. Burst.
await grader.pool.whenWarm();
const burstStart = performance.now();
const waits: number[] = [];
const statuses = new Map<string, number>();
await Promise.all(
  Array.from({ length: BURST }, async (_, i) => {
    const submitted = performance.now();
    const result = await grader.grade(
      { exercise: EXERCISE, files, client: `burst-${i}` },
      (event) => {
        if (event.type === "started") waits.push(performance.now() - submitted);
      },
    );
    statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
  }),
);
const burstTotal = performance.now() - burstStart;
console.log(
  `burst: ${BURST} submissions, last result after ${(burstTotal / 1000).toFixed(1)} s, longest queue wait ${(Math.max(...waits) / 1000).toFixed(1)} s, ` +
    `statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
);
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);

console.log("\n| measure | result | goal |\n| --- | --- | --- |");
console.log(`| warm p50 / p95 | ${ms(warmP50)} / ${ms(warmP95)} | p50 ≤ 500 ms |`);
console.log(
  `| cold \`npx vitest run\` p50 | ${ms(coldP50)} (${(coldP50 / warmP50).toFixed(1)}× warm) | ≥ 5× warm |`,
);
console.log(`| burst of ${BURST}: last result | ${(burstTotal / 1000).toFixed(1)} s | ≤ 30 s |`);
console.log(
  `| burst of ${BURST}: longest queue wait | ${(Math.max(...waits) / 1000).toFixed(1)} s | |`,
);

await grader.close();
