import { defineCollection } from "astro:content";
import { glob } from "astro/loaders";
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

export const collections = { lessons };
