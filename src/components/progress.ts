/**
 * Course progress kept in this browser (localStorage), read by the home page
 * and the navigation. Keys are part of the course's public interface:
 *   wirelab:lesson:<slug>   {"readAt": iso}                      a lesson read to its end
 *   wirelab:quiz:<slug>     {"score", "total", "completedAt"}    written by <Quiz>
 *   wirelab:exercise:<id>   {"status": "pass"|"fail"|"error", "at": iso}  written by the exercise view
 */
export interface LessonProgress {
  read: boolean;
  quiz?: { score: number; total: number };
}

const PREFIX = "wirelab:";
/** Dispatched on `window` whenever progress changes in this tab. */
export const PROGRESS_EVENT = "wirelab:progress";

function readJson<T>(key: string): T | undefined {
  try {
    const text = localStorage.getItem(PREFIX + key);
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined; // storage disabled or a corrupt entry: treat as no progress
  }
}

function writeJson(key: string, value: unknown): void {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
    window.dispatchEvent(new CustomEvent(PROGRESS_EVENT, { detail: { key } }));
  } catch {
    // Private mode or quota: progress is a convenience, never an error.
  }
}

export function markLessonRead(slug: string): void {
  if (!readJson(`lesson:${slug}`))
    writeJson(`lesson:${slug}`, { readAt: new Date().toISOString() });
}

export function lessonProgress(slug: string): LessonProgress {
  const quiz = readJson<{ score: number; total: number }>(`quiz:${slug}`);
  return {
    read: Boolean(readJson(`lesson:${slug}`)),
    quiz: quiz && { score: quiz.score, total: quiz.total },
  };
}

export function exercisePassed(id: string): boolean {
  return readJson<{ status: string }>(`exercise:${id}`)?.status === "pass";
}

export function recordExerciseResult(id: string, status: "pass" | "fail" | "error"): void {
  // A pass is kept even if a later attempt fails: the student did solve it.
  if (status !== "pass" && exercisePassed(id)) return;
  writeJson(`exercise:${id}`, { status, at: new Date().toISOString() });
}

/** Calls `render` now and whenever progress changes (this tab or another). */
export function onProgressChange(render: () => void): void {
  render();
  window.addEventListener(PROGRESS_EVENT, render);
  window.addEventListener("storage", (event) => {
    if (event.key?.startsWith(PREFIX)) render();
  });
}
