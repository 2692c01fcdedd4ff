/**
 * Monaco for solution.ts. Imported only through `loadMonaco()` (a dynamic
 * import), so none of this counts toward a page's JavaScript before
 * interaction. Two steps, so that scrolling past an exercise stays cheap:
 *
 * 1. this module: the editor core, the contributions a student uses and
 *    TypeScript syntax colouring (~3 MB, when the editor becomes visible);
 * 2. `./monaco-typescript.ts`: the TypeScript language service (its worker
 *    is ~7 MB) and the declarations of `ws`, `socket.io`, `socket.io-client`
 *    and Node (`/exercises/types.json`), when the student first focuses the
 *    editor.
 *
 * Until step 2 the model's language is `typescript-colours` (the same Monarch
 * grammar); then it switches to `typescript`, which starts the language
 * service (Monaco starts a language's features only the first time a model
 * uses it, so the model must not be `typescript` before they are registered).
 *
 * Only the editor core and chosen contributions are imported (not
 * `editor.main`, which registers ~90 languages).
 */
import * as monaco from "monaco-editor/editor/editor.api.js";
import "monaco-editor/editor/browser/coreCommands.js";
import "monaco-editor/editor/browser/widget/codeEditor/codeEditorWidget.js";
import "monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js";
import "monaco-editor/editor/contrib/clipboard/browser/clipboard.js";
import "monaco-editor/editor/contrib/codeAction/browser/codeActionContributions.js";
import "monaco-editor/editor/contrib/comment/browser/comment.js";
import "monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js";
import "monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js";
import "monaco-editor/editor/contrib/find/browser/findController.js";
import "monaco-editor/editor/contrib/folding/browser/folding.js";
import "monaco-editor/editor/contrib/format/browser/formatActions.js";
import "monaco-editor/editor/contrib/gotoError/browser/gotoError.js";
import "monaco-editor/editor/contrib/gotoSymbol/browser/goToCommands.js";
import "monaco-editor/editor/contrib/gotoSymbol/browser/link/goToDefinitionAtPosition.js";
import "monaco-editor/editor/contrib/hover/browser/hoverContribution.js";
import "monaco-editor/editor/contrib/indentation/browser/indentation.js";
import "monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js";
import "monaco-editor/editor/contrib/multicursor/browser/multicursor.js";
import "monaco-editor/editor/contrib/parameterHints/browser/parameterHints.js";
import "monaco-editor/editor/contrib/snippet/browser/snippetController2.js";
import "monaco-editor/editor/contrib/suggest/browser/suggestController.js";
import "monaco-editor/editor/contrib/toggleTabFocusMode/browser/toggleTabFocusMode.js";
import "monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js";
import "monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js";
import "monaco-editor/languages/definitions/typescript/register.js";
import { conf, language } from "monaco-editor/languages/definitions/typescript/typescript.js";
import EditorWorker from "monaco-editor/editor/editor.worker.js?worker";
import TypeScriptWorker from "monaco-editor/language/typescript/ts.worker.js?worker";
import type { CodeEditor, MonacoOptions } from "./code-editor.ts";

declare global {
  interface Window {
    MonacoEnvironment?: monaco.Environment;
  }
}

window.MonacoEnvironment = {
  getWorker: (_workerId, label) =>
    label === "typescript" || label === "javascript" ? new TypeScriptWorker() : new EditorWorker(),
};

/** TypeScript colouring without the language service (step 1). */
const COLOURS_ONLY = "typescript-colours";
monaco.languages.register({ id: COLOURS_ONLY });
monaco.languages.setMonarchTokensProvider(COLOURS_ONLY, language);
monaco.languages.setLanguageConfiguration(COLOURS_ONLY, conf);

let languageService: Promise<void> | undefined;

/** Step 2: the TypeScript language service and declarations, once per page. */
function loadLanguageService(): Promise<void> {
  languageService ??= import("./monaco-typescript.ts").then((module) => module.ready);
  return languageService;
}

// The site's backgrounds, and token colours that keep 4.5:1 contrast on them
// (vs-dark's comment green is 4.2:1, below WCAG AA).
monaco.editor.defineTheme("wirelab-light", {
  base: "vs",
  inherit: true,
  rules: [{ token: "comment", foreground: "3b7a2a" }],
  colors: {
    "editor.background": "#ffffff",
    "editorLineNumber.foreground": "#5f6b7a",
    "editorLineNumber.dimmedForeground": "#5f6b7a",
    "editorLineNumber.activeForeground": "#1b2030",
  },
});
monaco.editor.defineTheme("wirelab-dark", {
  base: "vs-dark",
  inherit: true,
  rules: [{ token: "comment", foreground: "7fa86b" }],
  colors: {
    "editor.background": "#0f131c",
    "editorGutter.background": "#0f131c",
    "editorLineNumber.foreground": "#8b93a7",
    "editorLineNumber.dimmedForeground": "#8b93a7",
    "editorLineNumber.activeForeground": "#e6e9f2",
  },
});

function currentTheme(): string {
  return document.documentElement.dataset.theme === "dark" ? "wirelab-dark" : "wirelab-light";
}

const MARK_OWNER = "wirelab-grader";

export async function createMonacoEditor(options: MonacoOptions): Promise<CodeEditor> {
  const uri = monaco.Uri.parse(`file:///${options.path}`);
  const model =
    monaco.editor.getModel(uri) ?? monaco.editor.createModel(options.value, COLOURS_ONLY, uri);
  model.setValue(options.value);
  const editor = monaco.editor.create(options.host, {
    model,
    theme: currentTheme(),
    ariaLabel: options.ariaLabel,
    automaticLayout: true,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    fontSize: 14,
    lineNumbersMinChars: 3,
    // A dimmed last line number (file ends with a newline) fails colour contrast.
    renderFinalNewline: "on",
    tabSize: 2,
    renderLineHighlight: "line",
    fixedOverflowWidgets: true,
    scrollbar: { alwaysConsumeMouseWheel: false },
  });
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, options.onRun);

  // The student starts editing: bring in type checking and completions.
  const startLanguageService = () => {
    focusListener.dispose();
    loadLanguageService().then(
      () => {
        if (!model.isDisposed()) monaco.editor.setModelLanguage(model, "typescript");
      },
      (error: unknown) => console.error("TypeScript language service failed to load", error),
    );
  };
  const focusListener = editor.onDidFocusEditorText(startLanguageService);

  // Follow the site's theme toggle.
  const themeWatcher = new MutationObserver(() => monaco.editor.setTheme(currentTheme()));
  themeWatcher.observe(document.documentElement, { attributeFilter: ["data-theme"] });

  let decorations = editor.createDecorationsCollection();

  return {
    kind: "monaco",
    getValue: () => model.getValue(),
    setValue: (text) => {
      // pushEditOperations keeps undo history, so a reset can be undone with Ctrl+Z.
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
    },
    focus: () => editor.focus(),
    markLine: (mark) => {
      decorations.clear();
      if (!mark) {
        monaco.editor.setModelMarkers(model, MARK_OWNER, []);
        return;
      }
      const line = Math.min(Math.max(mark.line, 1), model.getLineCount());
      const startColumn = mark.column ?? model.getLineFirstNonWhitespaceColumn(line) ?? 1;
      monaco.editor.setModelMarkers(model, MARK_OWNER, [
        {
          severity: monaco.MarkerSeverity.Error,
          message: mark.message,
          startLineNumber: line,
          startColumn: Math.max(startColumn, 1),
          endLineNumber: line,
          endColumn: model.getLineMaxColumn(line),
        },
      ]);
      decorations = editor.createDecorationsCollection([
        {
          range: new monaco.Range(line, 1, line, 1),
          options: { isWholeLine: true, className: "wirelab-error-line" },
        },
      ]);
      editor.revealLineInCenterIfOutsideViewport(line);
    },
    goToLine: (line, column = 1) => {
      editor.setPosition({ lineNumber: line, column });
      editor.revealLineInCenter(line);
      editor.focus();
    },
    onChange: (listener) => {
      model.onDidChangeContent(listener);
    },
    dispose: () => {
      themeWatcher.disconnect();
      editor.dispose();
      model.dispose();
    },
  };
}
