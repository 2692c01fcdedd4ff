/**
 * Page-weight budget: the JavaScript a page loads before any interaction
 * (its module scripts, their static imports, inline scripts), gzipped.
 * Dynamic imports (Monaco, the visualizer's heavy parts) load on demand and
 * do not count.
 *   npm run size            (after a build; fails above the budget)
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 50 * 1024;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");

function htmlPages(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === "_astro" ? [] : htmlPages(path);
    return entry.endsWith(".html") ? [path] : [];
  });
}

/** Static `import … from "x"`, `import "x"` and `export … from "x"` specifiers of a module. */
function staticImports(code: string): string[] {
  const pattern = /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+)["']/g;
  return [...code.matchAll(pattern)].map((match) => match[1]);
}

/** Gzipped bytes of the module graph reachable from a page's scripts, each file counted once. */
function pageJavaScript(htmlFile: string) {
  const html = readFileSync(htmlFile, "utf8");
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file) || !existsSync(file)) return;
    files.add(file);
    for (const specifier of staticImports(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".") || specifier.startsWith("/")) {
        visit(
          specifier.startsWith("/") ? join(dist, specifier) : resolve(dirname(file), specifier),
        );
      }
    }
  };
  for (const [, src] of html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)) {
    visit(src.startsWith("/") ? join(dist, src) : resolve(dirname(htmlFile), src));
  }
  for (const [, href] of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) {
    visit(join(dist, href));
  }
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((match) => match[1])
    .join("\n");
  for (const specifier of staticImports(inline)) {
    if (specifier.startsWith("/")) visit(join(dist, specifier));
  }
  const code = [...files].map((file) => readFileSync(file, "utf8")).join("\n") + inline;
  return { files: files.size, gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (!existsSync(dist)) {
  console.error("No dist/ folder: run `npm run build` first.");
  process.exit(1);
}

let worst = 0;
const rows = htmlPages(dist).map((file) => {
  const { files, gzipBytes } = pageJavaScript(file);
  worst = Math.max(worst, gzipBytes);
  return { page: `/${relative(dist, file)}`, files, "gzip KB": (gzipBytes / 1024).toFixed(1) };
});
console.table(rows);
console.log(
  `Largest page: ${(worst / 1024).toFixed(1)} KB of gzipped JavaScript before interaction (budget ${BUDGET_BYTES / 1024} KB).`,
);
if (worst > BUDGET_BYTES) {
  console.error("Over budget: move heavy code behind a dynamic import() that runs on interaction.");
  process.exit(1);
}
