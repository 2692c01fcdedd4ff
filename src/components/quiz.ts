/**
 * Behaviour of `<Quiz>` (`<wirelab-quiz>`): check one question at a time,
 * explain every choice, store the result and announce completion.
 * The markup works without this script (answers in `<details>`).
 */
import {
  QUIZ_COMPLETE_EVENT,
  choiceLetter,
  readQuizResult,
  type QuizCompleteDetail,
  type QuizResult,
} from "./quiz-model.ts";

class QuizElement extends HTMLElement {
  /** Per question: right on its first check, or undefined while unchecked. */
  private outcomes: (boolean | undefined)[] = [];

  private get questions(): HTMLElement[] {
    return [...this.querySelectorAll<HTMLElement>(".quiz-question")];
  }

  connectedCallback() {
    this.outcomes = this.questions.map(() => undefined);
    for (const question of this.questions) {
      question.querySelector<HTMLElement>("[data-role=answer]")!.hidden = true;
      question.querySelector<HTMLElement>("[data-role=actions]")!.hidden = false;
      question
        .querySelector("[data-role=check]")!
        .addEventListener("click", () => this.check(question));
      // Enter on a chosen radio checks it too, as in a form.
      question.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.target as HTMLElement).matches("input[type=radio]")) {
          event.preventDefault();
          this.check(question);
        }
      });
    }
    this.querySelector("[data-role=retry]")!.addEventListener("click", () => this.reset());
    this.showPrevious();
  }

  private check(question: HTMLElement) {
    const index = Number(question.dataset.question);
    if (this.outcomes[index] !== undefined) return;
    const chosen = question.querySelector<HTMLInputElement>("input[type=radio]:checked");
    const feedback = question.querySelector<HTMLElement>("[data-role=feedback]")!;
    feedback.hidden = false;
    if (!chosen) {
      feedback.dataset.verdict = "none";
      feedback.textContent = "Choose an answer first.";
      feedback.focus();
      return;
    }
    const right = Number(question.dataset.correct);
    const picked = Number(chosen.value);
    const isRight = picked === right;
    this.outcomes[index] = isRight;

    for (const choice of question.querySelectorAll<HTMLElement>(".quiz-choice")) {
      const c = Number(choice.dataset.choice);
      choice.dataset.state = c === right ? "right" : "wrong";
      if (c === picked) choice.dataset.chosen = "";
      choice.querySelector<HTMLElement>("[data-role=why]")!.hidden = false;
      choice.querySelector<HTMLInputElement>("input")!.disabled = true;
    }
    question.querySelector<HTMLElement>("[data-role=actions]")!.hidden = true;
    feedback.dataset.verdict = isRight ? "right" : "wrong";
    feedback.textContent = isRight
      ? `Right: ${choiceLetter(right)} is the answer. Each choice now says why.`
      : `Not quite: you chose ${choiceLetter(picked)}, the answer is ${choiceLetter(right)}. Each choice now says why.`;
    feedback.focus();

    if (this.outcomes.every((outcome) => outcome !== undefined)) this.complete();
  }

  private complete() {
    const lesson = this.dataset.lesson!;
    const result: QuizResult = {
      score: this.outcomes.filter(Boolean).length,
      total: this.outcomes.length,
      completedAt: new Date().toISOString(),
    };
    try {
      localStorage.setItem(this.dataset.storageKey!, JSON.stringify(result));
    } catch {
      // Storage may be full or disabled (private mode): the quiz still works.
    }
    const box = this.querySelector<HTMLElement>("[data-role=result]")!;
    box.hidden = false;
    this.querySelector("[data-role=result-text]")!.textContent =
      `You answered ${result.score} of ${result.total} right on the first try.` +
      (result.score === result.total ? " Well done!" : " Read the explanations, then try again.");
    const detail: QuizCompleteDetail = { lesson, ...result };
    this.dispatchEvent(new CustomEvent(QUIZ_COMPLETE_EVENT, { bubbles: true, detail }));
  }

  private reset() {
    this.outcomes = this.questions.map(() => undefined);
    for (const question of this.questions) {
      for (const choice of question.querySelectorAll<HTMLElement>(".quiz-choice")) {
        delete choice.dataset.state;
        delete choice.dataset.chosen;
        choice.querySelector<HTMLElement>("[data-role=why]")!.hidden = true;
        const input = choice.querySelector<HTMLInputElement>("input")!;
        input.disabled = false;
        input.checked = false;
      }
      question.querySelector<HTMLElement>("[data-role=actions]")!.hidden = false;
      const feedback = question.querySelector<HTMLElement>("[data-role=feedback]")!;
      feedback.hidden = true;
      feedback.textContent = "";
    }
    this.querySelector<HTMLElement>("[data-role=result]")!.hidden = true;
    this.showPrevious();
    this.querySelector<HTMLInputElement>("input[type=radio]")?.focus();
  }

  /** "Last time: 3 of 4" from an earlier visit. */
  private showPrevious() {
    let previous: QuizResult | undefined;
    try {
      previous = readQuizResult(localStorage, this.dataset.lesson!);
    } catch {
      previous = undefined;
    }
    const line = this.querySelector<HTMLElement>("[data-role=previous]")!;
    line.hidden = !previous;
    if (previous) {
      const when = new Date(previous.completedAt);
      line.textContent = `Last time: ${previous.score} of ${previous.total} right${
        Number.isNaN(when.getTime()) ? "" : ` (${when.toLocaleDateString()})`
      }.`;
    }
  }
}

customElements.define("wirelab-quiz", QuizElement);
