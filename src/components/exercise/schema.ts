import { z } from "astro/zod";

/**
 * One exercise as the site shows it, read at build time from `exercises/<id>/`
 * by `exerciseLoader` (see docs/exercise-view.md for the files it reads).
 */
export const exerciseSchema = z.object({
  /** Shown as the page title. Default: the first `# heading` of the instructions, else the id. */
  title: z.string().min(3, "title must be at least 3 characters"),
  /** Slug of the lesson this exercise belongs to, if any. */
  lesson: z.string().optional(),
  /** One sentence for the exercise list. Default: the first paragraph of the instructions. */
  summary: z.string().default(""),
  /** Position in the exercise list (lower first). Default: 1000, then by id. */
  order: z.number().default(1000),
  /** The student's starting `solution.ts`. */
  starter: z.string({ error: "solution.ts (the starter) is missing" }),
  /** The reference solution, shown after a pass or on request. */
  reference: z.string().optional(),
  /** Hints as rendered HTML, revealed one at a time. */
  hints: z.array(z.string()).default([]),
  /** Names of the tests (for the result list before the first run). */
  tests: z.array(z.string()).default([]),
});

export type ExerciseData = z.infer<typeof exerciseSchema>;
