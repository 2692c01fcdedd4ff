/**
 * Exercises: one folder per exercise under `exercises/<id>/`.
 *
 * ```
 * exercises/handshake-accept/
 *   exercise.json      metadata, schema-checked below
 *   instructions.md    what to build (Markdown)
 *   solution.ts        the starter the student edits
 *   reference.ts       a solution that passes every test
 *   solution.test.ts   vitest tests; they import "./solution.ts"
 * ```
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const LESSON_SLUGS = [
  "what-is-a-websocket",
  "opening-handshake",
  "frames",
  "socket-io-basics",
  "built-in-events",
  "broadcasting-rooms-namespaces",
  "transports-and-upgrade",
  "staying-connected",
  "websocket-vs-socket-io",
  "running-in-production",
] as const;

export const DIFFICULTIES = ["beginner", "intermediate", "advanced"] as const;

export type LessonSlug = (typeof LESSON_SLUGS)[number];
export type Difficulty = (typeof DIFFICULTIES)[number];

/** `exercise.json`. */
export interface ExerciseMeta {
  /** Same as the folder name: lowercase words joined by `-`. */
  id: string;
  /** Shown as the exercise's heading, 3–80 characters. */
  title: string;
  /** The lesson this exercise belongs to (one of {@link LESSON_SLUGS}). */
  lesson: LessonSlug;
  difficulty: Difficulty;
  /** Sort key inside the course (lower first). */
  order: number;
  /** One sentence for lists. */
  summary: string;
  /** Revealed one at a time, Markdown, at least one. */
  hints: string[];
  /** Test files, relative to the folder. Default `["solution.test.ts"]`. */
  tests?: string[];
}

export interface Exercise extends ExerciseMeta {
  dir: string;
  /** Markdown from `instructions.md`. */
  instructions: string;
  /** The starter `solution.ts`. */
  starter: string;
  /** `reference.ts`. */
  reference: string;
  /** Test files relative to the folder. */
  testFiles: string[];
}

export class ExerciseFormatError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid exercises:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ExerciseFormatError";
    this.problems = problems;
  }
}

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const KNOWN_KEYS = new Set([
  "$schema",
  "id",
  "title",
  "lesson",
  "difficulty",
  "order",
  "summary",
  "hints",
  "tests",
]);

/** Check one `exercise.json`; returns the problems found, each saying how to fix it. */
export function checkExerciseMeta(value: unknown, folder: string): string[] {
  const where = `exercises/${folder}/exercise.json`;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return [`${where}: must be a JSON object`];
  const meta = value as Record<string, unknown>;
  const problems: string[] = [];
  const isText = (v: unknown, min: number, max: number) =>
    typeof v === "string" && v.trim().length >= min && v.length <= max;
  for (const key of Object.keys(meta)) {
    if (!KNOWN_KEYS.has(key))
      problems.push(`${where}: unknown field "${key}" (allowed: ${[...KNOWN_KEYS].join(", ")})`);
  }
  if (meta.id !== folder)
    problems.push(
      `${where}: "id" must be "${folder}", the folder's name (got ${JSON.stringify(meta.id)})`,
    );
  if (!ID_PATTERN.test(folder))
    problems.push(`${where}: the folder name must be lowercase words joined by "-"`);
  if (!isText(meta.title, 3, 80))
    problems.push(`${where}: "title" must be a string of 3–80 characters`);
  if (!LESSON_SLUGS.includes(meta.lesson as LessonSlug)) {
    problems.push(
      `${where}: "lesson" must be one of ${LESSON_SLUGS.join(", ")} (got ${JSON.stringify(meta.lesson)})`,
    );
  }
  if (!DIFFICULTIES.includes(meta.difficulty as Difficulty)) {
    problems.push(
      `${where}: "difficulty" must be one of ${DIFFICULTIES.join(", ")} (got ${JSON.stringify(meta.difficulty)})`,
    );
  }
  if (typeof meta.order !== "number" || !Number.isFinite(meta.order))
    problems.push(`${where}: "order" must be a number`);
  if (!isText(meta.summary, 10, 200))
    problems.push(`${where}: "summary" must be a sentence of 10–200 characters`);
  if (
    !Array.isArray(meta.hints) ||
    meta.hints.length === 0 ||
    !meta.hints.every((h) => isText(h, 3, 2000))
  ) {
    problems.push(`${where}: "hints" must be a non-empty array of Markdown strings`);
  }
  if (meta.tests !== undefined) {
    const ok =
      Array.isArray(meta.tests) &&
      meta.tests.length > 0 &&
      meta.tests.every((t) => typeof t === "string" && /^[\w.-]+\.test\.ts$/.test(t));
    if (!ok)
      problems.push(
        `${where}: "tests" must be a non-empty array of file names ending in ".test.ts"`,
      );
  }
  return problems;
}

function readText(path: string, problems: string[], what: string): string {
  if (!existsSync(path)) {
    problems.push(`${path}: missing (${what})`);
    return "";
  }
  return readFileSync(path, "utf8");
}

/** Load and check every exercise; throws {@link ExerciseFormatError} listing every problem. */
export function loadExercises(root: string): Exercise[] {
  const problems: string[] = [];
  const exercises: Exercise[] = [];
  const folders = readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort();
  for (const folder of folders) {
    const dir = join(root, folder);
    const metaPath = join(dir, "exercise.json");
    if (!existsSync(metaPath)) {
      problems.push(`exercises/${folder}: missing exercise.json`);
      continue;
    }
    let meta: unknown;
    try {
      meta = JSON.parse(readFileSync(metaPath, "utf8"));
    } catch (error) {
      problems.push(
        `exercises/${folder}/exercise.json: not valid JSON (${(error as Error).message})`,
      );
      continue;
    }
    const metaProblems = checkExerciseMeta(meta, folder);
    problems.push(...metaProblems);
    if (metaProblems.length > 0) continue;
    const checked = meta as ExerciseMeta;
    const testFiles = checked.tests ?? ["solution.test.ts"];
    const fileProblems: string[] = [];
    const exercise: Exercise = {
      ...checked,
      dir,
      testFiles,
      instructions: readText(
        join(dir, "instructions.md"),
        fileProblems,
        "the instructions, Markdown",
      ),
      starter: readText(join(dir, "solution.ts"), fileProblems, "the starter the student edits"),
      reference: readText(join(dir, "reference.ts"), fileProblems, "a reference solution"),
    };
    for (const file of testFiles) {
      const source = readText(join(dir, file), fileProblems, 'a test file named in "tests"');
      if (source && !/from\s+["']\.\/solution(\.ts)?["']/.test(source)) {
        fileProblems.push(
          `exercises/${folder}/${file}: must import the student's code from "./solution.ts"`,
        );
      }
    }
    problems.push(...fileProblems);
    if (fileProblems.length === 0) exercises.push(exercise);
  }
  if (problems.length > 0) throw new ExerciseFormatError(problems);
  return exercises.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}
