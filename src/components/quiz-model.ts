/**
 * The data model of `<Quiz>`: question types, build-time validation, the
 * tiny inline markup quiz text may use, and where results are stored.
 * Pure functions (no DOM), shared by `Quiz.astro` (build time), `quiz.ts`
 * (the browser) and whatever reads course progress.
 */

/** One possible answer. */
export interface QuizChoice {
  /** What the student reads. Inline markup: `code`, **bold**, *emphasis*. */
  text: string;
  /** Marks the right answer. Exactly one choice per question has it. Default: false. */
  correct?: boolean;
  /** Why this choice is right or wrong, shown after checking (and in the no-JS answer). Same inline markup. */
  why: string;
}

/** One multiple-choice question with a single right answer. */
export interface QuizQuestion {
  /** The question. Inline markup: `code`, **bold**, *emphasis*. */
  prompt: string;
  /** Two or more choices, in the order shown. */
  choices: QuizChoice[];
}

/** What a finished quiz stores, under `wirelab:quiz:<lesson>` in localStorage (JSON). */
export interface QuizResult {
  /** Questions answered right on the first check. */
  score: number;
  /** Number of questions. */
  total: number;
  /** ISO 8601 time the last question was checked. */
  completedAt: string;
}

/** `detail` of the `wirelab:quiz-complete` event. */
export interface QuizCompleteDetail extends QuizResult {
  lesson: string;
}

/** localStorage key prefix: the full key is `wirelab:quiz:<lesson slug>`. */
export const QUIZ_STORAGE_PREFIX = "wirelab:quiz:";

/** Name of the DOM event a quiz dispatches (bubbling) when its last question is checked. */
export const QUIZ_COMPLETE_EVENT = "wirelab:quiz-complete";

/** The localStorage key of a lesson's quiz result. */
export function quizStorageKey(lesson: string): string {
  return `${QUIZ_STORAGE_PREFIX}${lesson}`;
}

/** The lesson slug of a page path (`/lessons/frames/` → `frames`), else undefined. */
export function lessonFromPath(pathname: string): string | undefined {
  return /\/lessons\/([^/]+)\/?$/.exec(pathname)?.[1];
}

/**
 * Checks a quiz when the site is built. Throws an Error that says where the
 * problem is and how to fix it, because a course author reads it in a failed build.
 */
export function validateQuiz(
  questions: unknown,
  where = "<Quiz>",
): asserts questions is QuizQuestion[] {
  if (!Array.isArray(questions) || questions.length === 0) {
    throw new Error(
      `${where}: \`questions\` must be a non-empty array of { prompt, choices: [{ text, correct?, why }] }.`,
    );
  }
  questions.forEach((question: Partial<QuizQuestion>, index) => {
    const at = `${where}, question ${index + 1}`;
    if (typeof question?.prompt !== "string" || question.prompt.trim() === "") {
      throw new Error(`${at}: \`prompt\` is missing: write the question as a string.`);
    }
    if (!Array.isArray(question.choices) || question.choices.length < 2) {
      throw new Error(`${at}: give at least two \`choices\`.`);
    }
    question.choices.forEach((choice: Partial<QuizChoice>, choiceIndex) => {
      const choiceAt = `${at}, choice ${choiceIndex + 1}`;
      if (typeof choice?.text !== "string" || choice.text.trim() === "") {
        throw new Error(`${choiceAt}: \`text\` is missing.`);
      }
      if (typeof choice.why !== "string" || choice.why.trim() === "") {
        throw new Error(
          `${choiceAt}: \`why\` is missing: explain why this answer is right or wrong.`,
        );
      }
    });
    const correct = question.choices.filter((choice) => choice.correct === true).length;
    if (correct !== 1) {
      throw new Error(`${at}: exactly one choice must have \`correct: true\` (found ${correct}).`);
    }
  });
}

/** Index of the right choice. */
export function correctIndex(question: QuizQuestion): number {
  return question.choices.findIndex((choice) => choice.correct === true);
}

/** "A", "B", … for choice indexes. */
export function choiceLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Quiz text → safe HTML. Everything is escaped; then `code`, **bold** and
 * *emphasis* become elements. Nothing else is markup.
 */
export function formatInline(text: string): string {
  return escapeHtml(text)
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith("`") && part.endsWith("`") && part.length > 1
        ? `<code>${part.slice(1, -1)}</code>`
        : part
            .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
            .replace(/\*([^*\s][^*]*)\*/g, "<em>$1</em>"),
    )
    .join("");
}

/** A stored result, or undefined when there is none or it is malformed. For course progress. */
export function readQuizResult(
  storage: Pick<Storage, "getItem">,
  lesson: string,
): QuizResult | undefined {
  try {
    const value: unknown = JSON.parse(storage.getItem(quizStorageKey(lesson)) ?? "null");
    if (
      value &&
      typeof value === "object" &&
      typeof (value as QuizResult).score === "number" &&
      typeof (value as QuizResult).total === "number" &&
      typeof (value as QuizResult).completedAt === "string"
    ) {
      const { score, total, completedAt } = value as QuizResult;
      return { score, total, completedAt };
    }
  } catch {
    // Corrupt JSON counts as no result.
  }
  return undefined;
}
