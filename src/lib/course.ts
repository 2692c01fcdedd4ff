import { getCollection, type CollectionEntry } from "astro:content";

export type Lesson = CollectionEntry<"lessons">;

/** Every lesson in course order. Fails the build when two lessons share an `order`. */
export async function getLessons(): Promise<Lesson[]> {
  const lessons = (await getCollection("lessons")).sort((a, b) => a.data.order - b.data.order);
  for (let i = 1; i < lessons.length; i++) {
    if (lessons[i].data.order === lessons[i - 1].data.order) {
      throw new Error(
        `Lessons "${lessons[i - 1].id}" and "${lessons[i].id}" both have order ${lessons[i].data.order}: give each lesson its own order.`,
      );
    }
  }
  return lessons;
}

export function lessonHref(lesson: Lesson): string {
  return `/lessons/${lesson.id}/`;
}
