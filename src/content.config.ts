import { defineCollection } from "astro:content";
import { glob } from "astro/loaders";
import { exerciseLoader } from "./components/exercise/loader.ts";
import { exerciseSchema } from "./components/exercise/schema.ts";
import { lessonSchema, lessonSlug } from "./lessons/schema.ts";

/** One folder per lesson: `src/lessons/NN-slug/index.mdx`. */
const lessons = defineCollection({
  loader: glob({
    pattern: "*/index.mdx",
    base: "./src/lessons",
    generateId: ({ entry }) => lessonSlug(entry),
  }),
  schema: lessonSchema,
});

/** One folder per exercise: `exercises/<id>/` (instructions, starter, tests, reference, hints). */
const exercises = defineCollection({
  loader: exerciseLoader(),
  schema: exerciseSchema,
});

export const collections = { lessons, exercises };
