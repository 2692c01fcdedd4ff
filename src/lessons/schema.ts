import { z } from "astro/zod";

/**
 * Front matter of a lesson (`src/lessons/NN-slug/index.mdx`). Each message
 * says what to fix, because a course author reads it in a failed build.
 */
export const lessonSchema = z.object({
  /** Shown in the navigation and as the page title. */
  title: z
    .string({ error: 'title is required: add `title: "What a WebSocket is"`' })
    .min(3, "title must be at least 3 characters"),
  /** Position in the course (1 = first); must be unique. */
  order: z
    .number({
      error: "order is required: a whole number giving the lesson's position, e.g. `order: 2`",
    })
    .int("order must be a whole number")
    .positive("order must be 1 or more"),
  /** One or two sentences for the course home page. */
  summary: z
    .string({ error: "summary is required: one or two sentences for the course home page" })
    .min(20, "summary must be at least 20 characters")
    .max(320, "summary must be at most 320 characters: keep it to two sentences"),
  /** What the student can do after the lesson. */
  objectives: z
    .array(z.string().min(5), {
      error: "objectives is required: a YAML list of what the student will be able to do",
    })
    .min(1, "objectives must list at least one learning objective"),
  /** Estimated reading-and-doing time in minutes. */
  minutes: z
    .number({ error: "minutes is required: the estimated time in minutes, e.g. `minutes: 15`" })
    .int("minutes must be a whole number")
    .min(1, "minutes must be at least 1")
    .max(180, "minutes must be at most 180: split the lesson"),
  /** Ids of exercises (folders in `exercises/`) this lesson links to. Default: none. */
  exercises: z.array(z.string()).default([]),
});

export type LessonFrontMatter = z.infer<typeof lessonSchema>;

/** A lesson's slug is its folder name without the numeric prefix: `01-what-is-a-websocket` → `what-is-a-websocket`. */
export function lessonSlug(entryPath: string): string {
  const folder = entryPath.split("/")[0] ?? entryPath;
  return folder.replace(/^\d+-/, "");
}
