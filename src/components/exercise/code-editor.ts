/**
 * The editor of solution.ts behind one interface: the server-rendered
 * `<textarea>` (phones, touch, no JavaScript, or Monaco failed), or Monaco,
 * loaded on demand from `./monaco-editor.ts` (never part of the page's
 * initial JavaScript).
 */
export interface CodeEditor {
  readonly kind: "monaco" | "plain";
  getValue(): string;
  setValue(text: string): void;
  focus(): void;
  /** Marks a line as the place of an error; `undefined` clears the mark. */
  markLine(mark: { line: number; column?: number; message: string } | undefined): void;
  /** Moves the cursor to a line and shows it. */
  goToLine(line: number, column?: number): void;
  onChange(listener: () => void): void;
  dispose(): void;
}

/** The plain editor: the `<textarea>` already in the page. */
export class PlainEditor implements CodeEditor {
  readonly kind = "plain";
  readonly textarea: HTMLTextAreaElement;
  constructor(textarea: HTMLTextAreaElement) {
    this.textarea = textarea;
  }
  getValue(): string {
    return this.textarea.value;
  }
  setValue(text: string): void {
    this.textarea.value = text;
    this.textarea.dispatchEvent(new Event("input"));
  }
  focus(): void {
    this.textarea.focus();
  }
  markLine(mark: { line: number; message: string } | undefined): void {
    if (mark) this.textarea.setAttribute("aria-invalid", "true");
    else this.textarea.removeAttribute("aria-invalid");
  }
  goToLine(line: number, column = 1): void {
    const lines = this.textarea.value.split("\n");
    const index = Math.min(Math.max(line, 1), lines.length) - 1;
    const start = lines.slice(0, index).reduce((sum, text) => sum + text.length + 1, 0);
    this.textarea.focus();
    this.textarea.setSelectionRange(start + column - 1, start + lines[index].length);
    // Scroll roughly to the line: the textarea has a fixed line height.
    const lineHeight = parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
    this.textarea.scrollTop = Math.max(0, (index - 3) * lineHeight);
  }
  onChange(listener: () => void): void {
    this.textarea.addEventListener("input", listener);
  }
  dispose(): void {}
}

/** Whether this device should get the plain editor: narrow screens and touch-first devices. */
export function prefersPlainEditor(): boolean {
  return matchMedia("(max-width: 640px), (pointer: coarse)").matches;
}

export interface MonacoOptions {
  /** Where Monaco mounts (replaces the textarea visually). */
  host: HTMLElement;
  /** Model path, unique per exercise: `exercises/<id>/solution.ts`. */
  path: string;
  value: string;
  ariaLabel: string;
  /** Ctrl/Cmd+Enter inside the editor. */
  onRun: () => void;
}

/** Loads Monaco (a separate chunk, fetched now) and mounts it. */
export async function loadMonaco(options: MonacoOptions): Promise<CodeEditor> {
  const { createMonacoEditor } = await import("./monaco-editor.ts");
  return createMonacoEditor(options);
}
