/**
 * Step 2 of the editor (see ./monaco-editor.ts): the TypeScript language
 * service for solution.ts, with the declarations Monaco needs from
 * `/exercises/types.json` (built by src/pages/exercises/types.json.ts).
 * Loaded when a student first focuses an editor; `ready` settles once the
 * declarations are in, so the first diagnostics already know `ws` & co.
 */
import {
  ModuleKind,
  ModuleResolutionKind,
  ScriptTarget,
  typescriptDefaults,
} from "monaco-editor/languages/features/typescript/register.js";

interface DeclarationFile {
  path: string;
  content: string;
}

typescriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  module: ModuleKind.ESNext,
  moduleResolution: ModuleResolutionKind.NodeJs,
  lib: ["esnext"],
  strict: true,
  noEmit: true,
  esModuleInterop: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  types: [],
});
typescriptDefaults.setEagerModelSync(true);

async function loadDeclarations(): Promise<void> {
  try {
    const response = await fetch(new URL("/exercises/types.json", location.href));
    if (!response.ok) return;
    const files = (await response.json()) as DeclarationFile[];
    typescriptDefaults.setExtraLibs(
      files.map((file) => ({ content: file.content, filePath: `file:///${file.path}` })),
    );
  } catch {
    // Without declarations the editor still works; imports are just `any`.
  }
}

export const ready: Promise<void> = loadDeclarations();
