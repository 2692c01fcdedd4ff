/**
 * Build time (Node): the declaration files Monaco's TypeScript worker needs
 * to type-check solution.ts, read from node_modules. Each file keeps its
 * `node_modules/...` path so the worker resolves `import … from "ws"` exactly
 * as `tsc` does (a minimal package.json per package supplies `types`).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

export interface DeclarationFile {
  /** Path relative to the project root, e.g. `node_modules/@types/ws/index.d.ts`. */
  path: string;
  content: string;
}

/** Packages a solution may import, and the packages their declarations import. */
const PACKAGES = [
  "@types/ws",
  "socket.io",
  "socket.io-client",
  "socket.io-adapter",
  "socket.io-parser",
  "engine.io",
  "engine.io-client",
  "engine.io-parser",
  "@socket.io/component-emitter",
  "@types/cors",
];

/**
 * Node modules a solution has no use for (or may not import: see the
 * grader's blocked built-ins); leaving them out keeps the file small.
 */
const NODE_EXCLUDED = new Set([
  "child_process.d.ts",
  "cluster.d.ts",
  "domain.d.ts",
  "inspector.d.ts",
  "inspector.generated.d.ts",
  "module.d.ts",
  "punycode.d.ts",
  "repl.d.ts",
  "sea.d.ts",
  "sqlite.d.ts",
  "test.d.ts",
  "trace_events.d.ts",
  "v8.d.ts",
  "vm.d.ts",
  "wasi.d.ts",
  "worker_threads.d.ts",
]);

function declarationsUnder(dir: string, skip: (name: string) => boolean = () => false): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || skip(name)) return [];
    if (statSync(path).isDirectory()) return declarationsUnder(path, skip);
    return name.endsWith(".d.ts") ? [path] : [];
  });
}

export function declarationFiles(root = process.cwd()): DeclarationFile[] {
  const files: DeclarationFile[] = [];
  const add = (path: string, content = readFileSync(path, "utf8")) =>
    files.push({ path: relative(root, path).split("\\").join("/"), content });

  const nodeTypes = join(root, "node_modules/@types/node");
  for (const path of declarationsUnder(nodeTypes, (name) => /^ts\d/.test(name))) {
    if (!NODE_EXCLUDED.has(relative(nodeTypes, path))) add(path);
  }

  for (const name of PACKAGES) {
    const dir = join(root, "node_modules", name);
    const manifestPath = join(dir, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
      types?: string;
      typings?: string;
    };
    const types = (manifest.types ?? manifest.typings ?? "index.d.ts").replace(/^\.\//, "");
    add(manifestPath, JSON.stringify({ name, types }));
    for (const path of declarationsUnder(dirname(join(dir, types)))) add(path);
  }
  return files;
}
