/**
 * `<exercise-view>`: behaviour of ExerciseView.astro. Small on purpose (it
 * ships with lesson pages): Monaco comes in through a dynamic import when the
 * editor scrolls into view on a desktop-class device.
 *
 * Browser storage (per exercise):
 *   wirelab-code:<id>    the student's solution.ts, autosaved while typing
 *   wirelab-hints:<id>   how many hints are revealed
 * and `wirelab:exercise:<id>` through progress.ts (read by the home page).
 */
import { recordExerciseResult } from "../progress.ts";
import { sandboxReachable } from "../sandbox.ts";
import { PlainEditor, loadMonaco, prefersPlainEditor, type CodeEditor } from "./code-editor.ts";
import { explainError } from "./explain.ts";
import {
  GradeRequestError,
  grade,
  type GradeEvent,
  type GradeResult,
  type TestResult,
} from "./grade-client.ts";

const SAVE_DELAY_MS = 400;

function storageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function storageSet(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Private mode or quota: autosave is a convenience.
  }
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string } = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

/** "acceptKey > returns x" and "returns x" name the same test. */
function sameTest(a: string, b: string): boolean {
  const tail = (name: string) =>
    name
      .split(/\s+>\s+/)
      .pop()!
      .trim();
  return a === b || tail(a) === tail(b);
}

class ExerciseView extends HTMLElement {
  private id_ = "";
  private editor!: CodeEditor;
  private plain!: PlainEditor;
  private starter = "";
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private passed = false;
  private monacoRequested = false;

  private byRole<T extends HTMLElement = HTMLElement>(role: string): T | null {
    return this.querySelector<T>(`[data-role="${role}"]`);
  }

  connectedCallback(): void {
    if (this.id_) return;
    this.id_ = this.dataset.exercise!;
    this.starter = this.byRole<HTMLTemplateElement>("starter")!.content.textContent ?? "";
    this.plain = new PlainEditor(this.byRole<HTMLTextAreaElement>("textarea")!);
    this.editor = this.plain;

    const saved = storageGet(`wirelab-code:${this.id_}`);
    if (saved !== null && saved !== this.plain.getValue()) {
      this.plain.textarea.value = saved;
      this.setSaveState("Restored your saved code");
    }
    this.plain.onChange(() => this.scheduleSave());

    this.byRole("run")!.addEventListener("click", () => void this.run());
    this.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.run();
      }
    });
    this.byRole("reset")!.addEventListener("click", () => void this.reset());
    this.byRole("show-solution")?.addEventListener("click", () => void this.showSolution());
    this.byRole("hide-solution")?.addEventListener("click", () => this.hideSolution());
    this.setUpHints();
    this.setUpEditor();
    void this.checkSandbox();
  }

  // ── Editor ────────────────────────────────────────────────────────────

  private setUpEditor(): void {
    if (prefersPlainEditor()) {
      this.setEditorStatus("Plain text editor (the full code editor needs a wider screen).");
      return;
    }
    const frame = this.querySelector(".editor-frame")!;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          void this.upgradeEditor();
        }
      },
      { rootMargin: "200px" },
    );
    observer.observe(frame);
    // A student who starts typing before it scrolls into view gets Monaco too.
    this.plain.textarea.addEventListener("focus", () => void this.upgradeEditor(), { once: true });
  }

  private async upgradeEditor(): Promise<void> {
    if (this.monacoRequested) return;
    this.monacoRequested = true;
    this.setEditorStatus("Loading the code editor…");
    const host = this.byRole("monaco")!;
    const textarea = this.plain.textarea;
    try {
      host.hidden = false;
      const monaco = await loadMonaco({
        host,
        path: `exercises/${this.id_}/solution.ts`,
        value: this.plain.getValue(),
        ariaLabel: `solution.ts, your code for ${this.id_}`,
        onRun: () => void this.run(),
      });
      const hadFocus = document.activeElement === textarea;
      // Edits made while Monaco loaded are kept.
      if (monaco.getValue() !== textarea.value) monaco.setValue(textarea.value);
      this.editor = monaco;
      this.dataset.editor = "monaco";
      textarea.tabIndex = -1;
      monaco.onChange(() => {
        textarea.value = monaco.getValue(); // the form field stays the source of truth
        this.scheduleSave();
      });
      this.setEditorStatus(undefined);
      if (hadFocus) monaco.focus();
    } catch (error) {
      console.error("Monaco failed to load", error);
      host.hidden = true;
      this.setEditorStatus("The code editor could not load; the plain text editor works the same.");
    }
  }

  private setEditorStatus(text: string | undefined): void {
    const status = this.byRole("editor-status")!;
    status.hidden = !text;
    status.textContent = text ?? "";
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  private save(): void {
    clearTimeout(this.saveTimer);
    const code = this.editor.getValue();
    storageSet(`wirelab-code:${this.id_}`, code === this.starter ? null : code);
    this.setSaveState(code === this.starter ? "" : "Saved in this browser");
  }

  private setSaveState(text: string): void {
    this.byRole("save-state")!.textContent = text;
  }

  // ── Sandbox ───────────────────────────────────────────────────────────

  private async checkSandbox(retry = false): Promise<boolean> {
    const reachable = await sandboxReachable(retry);
    if (!reachable) this.showUnreachable();
    else this.byRole("notice")!.hidden = true;
    return reachable;
  }

  private showUnreachable(detail?: string): void {
    const notice = this.byRole("notice")!;
    notice.replaceChildren(
      element("p", {}, [
        element("strong", { text: "Grading needs the sandbox server." }),
        ` ${detail ?? "This copy of the course runs without it, so Run can't grade your code here."}`,
      ]),
      element("p", {}, [
        "To grade: run ",
        element("code", { text: "npm start" }),
        " in the course folder and open ",
        element("code", { text: "http://localhost:4321" }),
        ". Your code is kept in this browser meanwhile.",
      ]),
    );
    notice.setAttribute("role", "alert");
    notice.hidden = false;
  }

  // ── Running ───────────────────────────────────────────────────────────

  private async run(): Promise<void> {
    if (this.running) return;
    this.save();
    this.running = true;
    this.setState("queued");
    this.setSummary("Sending your code to the grader…");
    this.clearExplanation();
    this.editor.markLine(undefined);
    this.markTestsWaiting();
    try {
      const result = await grade(
        { exercise: this.id_, files: { "solution.ts": this.editor.getValue() } },
        (event) => this.onGradeEvent(event),
      );
      this.showResult(result);
    } catch (error) {
      this.setState("idle");
      this.resetWaitingTests();
      if (error instanceof GradeRequestError && error.unreachable) {
        await this.checkSandbox(true);
        this.showUnreachable(
          error.message === "This server does not grade exercises."
            ? "This server does not grade exercises."
            : undefined,
        );
        this.setSummary("Not graded: the sandbox server can't be reached.");
      } else {
        this.setSummary(
          `Not graded: ${error instanceof Error ? error.message : "the grader failed."}`,
        );
      }
    } finally {
      this.running = false;
    }
  }

  private onGradeEvent(event: GradeEvent): void {
    switch (event.type) {
      case "queued":
        this.setState("queued");
        this.setSummary(
          event.position <= 0
            ? "Starting a sandbox…"
            : `Waiting for a free sandbox: you are number ${event.position} in the queue.`,
        );
        break;
      case "started":
        this.setState("running");
        this.setSummary("Running the tests…");
        break;
      case "test":
        this.setState("running");
        this.showTest(event.test);
        this.setSummary(`Running the tests… ${this.countDone()} done.`);
        break;
    }
  }

  private setState(state: "idle" | "queued" | "running" | "pass" | "fail" | "error"): void {
    this.dataset.state = state;
    const run = this.byRole<HTMLButtonElement>("run")!;
    run.setAttribute("aria-disabled", String(state === "queued" || state === "running"));
  }

  private setSummary(text: string, extra: Node[] = []): void {
    this.byRole("summary")!.replaceChildren(text, ...extra);
  }

  // ── Results ───────────────────────────────────────────────────────────

  private testItems(): HTMLLIElement[] {
    return [...this.byRole("tests")!.querySelectorAll<HTMLLIElement>("li.test")];
  }

  private countDone(): number {
    return this.testItems().filter((item) =>
      ["pass", "fail", "skip"].includes(item.dataset.status!),
    ).length;
  }

  private markTestsWaiting(): void {
    for (const item of this.testItems()) this.renderTest(item, undefined, "waiting");
  }

  private resetWaitingTests(): void {
    for (const item of this.testItems()) {
      if (item.dataset.status === "waiting") this.renderTest(item, undefined, "pending");
    }
  }

  private showTest(test: TestResult): void {
    const item =
      this.testItems().find(
        (candidate) =>
          ["waiting", "pending"].includes(candidate.dataset.status!) &&
          sameTest(
            candidate.dataset.name ?? candidate.querySelector(".test-name")!.textContent!,
            test.name,
          ),
      ) ?? this.byRole("tests")!.appendChild(element("li", { className: "test" }));
    this.renderTest(item, test);
  }

  private renderTest(
    item: HTMLLIElement,
    test: TestResult | undefined,
    status: string = test?.status ?? "pending",
  ): void {
    const name =
      test?.name ?? item.dataset.name ?? item.querySelector(".test-name")?.textContent ?? "";
    item.dataset.name = name;
    item.dataset.status = status;
    const words: Record<string, string> = {
      pass: "passed",
      fail: "failed",
      skip: "skipped",
      waiting: "waiting",
      pending: "not run yet",
    };
    const icon = element("span", { className: "test-icon" });
    icon.ariaHidden = "true";
    const children: Node[] = [
      icon,
      element("span", { className: "test-name", text: name.split(/\s+>\s+/).pop() }),
      element("span", { className: "test-status visually-hidden", text: words[status] ?? status }),
    ];
    if (test && test.status === "fail" && (test.message || test.expected || test.actual)) {
      const detail = element("div", { className: "test-detail" });
      if (test.message)
        detail.append(element("pre", { className: "test-message", text: test.message }));
      if (test.expected !== undefined || test.actual !== undefined) {
        const compare = element("dl", { className: "compare" });
        if (test.expected !== undefined) {
          compare.append(
            element("dt", { text: "Expected" }),
            element("dd", {}, [element("code", { className: "expected", text: test.expected })]),
          );
        }
        if (test.actual !== undefined) {
          compare.append(
            element("dt", { text: "Received" }),
            element("dd", {}, [element("code", { className: "received", text: test.actual })]),
          );
        }
        detail.append(compare);
      }
      children.push(detail);
    }
    item.replaceChildren(...children);
  }

  private showResult(result: GradeResult): void {
    // The final list is the grader's: replace what streamed in.
    if (result.tests.length > 0) {
      const list = this.byRole("tests")!;
      const streamed = this.testItems();
      result.tests.forEach((test, index) => {
        const item = streamed[index] ?? list.appendChild(element("li", { className: "test" }));
        this.renderTest(item, test);
      });
      for (const extra of streamed.slice(result.tests.length)) extra.remove();
    } else {
      this.resetWaitingTests();
    }
    const output = this.byRole("output")!;
    output.hidden = !result.output;
    this.byRole("output-text")!.textContent = result.output ?? "";
    recordExerciseResult(this.id_, result.status);
    const seconds =
      result.durationMs !== undefined ? ` in ${(result.durationMs / 1000).toFixed(1)} s` : "";
    const passed = result.tests.filter((test) => test.status === "pass").length;
    const total = result.tests.filter((test) => test.status !== "skip").length;
    this.setState(result.status);
    if (result.status === "pass") {
      this.passed = true;
      const extra: Node[] = [];
      if (this.byRole("solution")) {
        const compare = element("button", {
          className: "button small",
          text: "Compare with the reference solution",
        });
        compare.type = "button";
        compare.addEventListener("click", () => void this.showSolution());
        extra.push(compare);
      }
      this.setSummary(`Passed: all ${total} tests pass${seconds}.`, extra);
    } else if (result.status === "fail") {
      this.setSummary(`${passed} of ${total} tests passed${seconds}. Read the failures below.`);
    } else {
      this.setSummary("Not graded: the tests could not run.");
      this.showExplanation(result);
    }
  }

  private showExplanation(result: GradeResult): void {
    const explanation = explainError(result);
    const box = this.byRole("explanation")!;
    const children: Node[] = [
      element("p", { className: "explanation-title", text: explanation.title }),
      element("p", { text: explanation.detail }),
    ];
    if (explanation.line !== undefined) {
      const go = element("button", {
        className: "button small",
        text: `Go to line ${explanation.line}`,
      });
      go.type = "button";
      go.addEventListener("click", () =>
        this.editor.goToLine(explanation.line!, explanation.column),
      );
      children.push(element("p", {}, [go]));
      this.editor.markLine({
        line: explanation.line,
        column: explanation.column,
        message: explanation.title,
      });
    }
    if (result.message) children.push(element("pre", { text: result.message }));
    box.replaceChildren(...children);
    box.setAttribute("role", "alert");
    box.hidden = false;
  }

  private clearExplanation(): void {
    const box = this.byRole("explanation")!;
    box.hidden = true;
    box.removeAttribute("role");
    box.replaceChildren();
  }

  // ── Hints ─────────────────────────────────────────────────────────────

  private setUpHints(): void {
    const button = this.byRole<HTMLButtonElement>("hint");
    if (!button) return;
    const hints = [...this.byRole("hints")!.querySelectorAll<HTMLLIElement>("li")];
    const stored = Number(storageGet(`wirelab-hints:${this.id_}`) ?? 0);
    let shown = Math.min(Number.isInteger(stored) ? stored : 0, hints.length);
    const render = () => {
      hints.forEach((hint, index) => (hint.hidden = index >= shown));
      button.hidden = shown >= hints.length;
      this.byRole("hints-done")!.hidden = shown < hints.length;
      button.textContent =
        shown === 0
          ? `Show hint 1 of ${hints.length}`
          : `Show hint ${shown + 1} of ${hints.length}`;
    };
    render();
    button.addEventListener("click", () => {
      shown = Math.min(shown + 1, hints.length);
      storageSet(`wirelab-hints:${this.id_}`, String(shown));
      render();
      hints[shown - 1].focus();
    });
  }

  // ── Reset and solution ────────────────────────────────────────────────

  private confirm(title: string, body: string, ok: string): Promise<boolean> {
    const dialog = this.byRole<HTMLDialogElement>("confirm")!;
    this.byRole("confirm-title")!.textContent = title;
    this.byRole("confirm-body")!.textContent = body;
    this.byRole("confirm-ok")!.textContent = ok;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), {
        once: true,
      });
    });
  }

  private async reset(): Promise<void> {
    if (this.editor.getValue() !== this.starter) {
      const ok = await this.confirm(
        "Reset solution.ts to the starter?",
        "Your changes to this exercise will be replaced by the starting code.",
        "Reset",
      );
      if (!ok) return;
    }
    this.editor.setValue(this.starter);
    this.plain.textarea.value = this.starter;
    this.editor.markLine(undefined);
    this.save();
    this.setSaveState("Reset to the starter");
    this.editor.focus();
  }

  private async showSolution(): Promise<void> {
    const solution = this.byRole("solution");
    if (!solution) return;
    if (!this.passed) {
      const ok = await this.confirm(
        "Show the reference solution?",
        "Trying a hint first teaches more. Your code stays in the editor either way.",
        "Show solution",
      );
      if (!ok) return;
    }
    solution.hidden = false;
    solution.scrollIntoView({ block: "nearest", behavior: "smooth" });
    this.byRole("hide-solution")!.focus({ preventScroll: true });
  }

  private hideSolution(): void {
    this.byRole("solution")!.hidden = true;
    this.byRole("show-solution")?.focus();
  }
}

customElements.define("exercise-view", ExerciseView);
