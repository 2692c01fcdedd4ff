/**
 * Content loader for the `exercises` collection: reads every folder of
 * `exercises/` at build time (Node) so each exercise page is static HTML.
 * The grading server reads the same folders; this loader only needs what a
 * page shows. Files it reads, first match wins (docs/exercise-view.md):
 *
 * | what          | files                                                             |
 * | ------------- | ----------------------------------------------------------------- |
 * | metadata      | `exercise.json`, `meta.json`, front matter of the instructions    |
 * | instructions  | `README.md`, `instructions.md`, `INSTRUCTIONS.md` (Markdown)      |
 * | starter       | `solution.ts`                                                     |
 * | reference     | `reference.ts`, `solution.reference.ts`, `.meta/reference.ts`     |
 * | hints         | `hints` in the metadata, `hints.md` (one `##` section or list item each), `hints/*.md` |
 * | test names    | `test("…")` / `it("…")` calls in `*.test.ts`                      |
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Loader, LoaderContext } from "astro/loaders";

const INSTRUCTION_FILES = ["README.md", "instructions.md", "INSTRUCTIONS.md"];
const METADATA_FILES = ["exercise.json", "meta.json", ".meta/config.json"];
const REFERENCE_FILES = ["reference.ts", "solution.reference.ts", ".meta/reference.ts"];

function readFirst(dir: string, names: string[]): { name: string; text: string } | undefined {
  for (const name of names) {
    const path = join(dir, name);
    if (existsSync(path) && statSync(path).isFile())
      return { name, text: readFileSync(path, "utf8") };
  }
  return undefined;
}

/** Splits `---\nfront matter\n---\nbody`. Front matter: a small YAML subset (scalars and lists). */
export function splitFrontMatter(markdown: string): {
  data: Record<string, unknown>;
  body: string;
} {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(markdown);
  if (!match) return { data: {}, body: markdown };
  const data: Record<string, unknown> = {};
  let listKey: string | undefined;
  for (const line of match[1].split(/\r?\n/)) {
    const item = /^\s+-\s+(.*)$/.exec(line) ?? /^-\s+(.*)$/.exec(line);
    if (item && listKey) {
      (data[listKey] as unknown[]).push(scalar(item[1]));
      continue;
    }
    const pair = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (!pair) continue;
    if (pair[2] === "") {
      listKey = pair[1];
      data[listKey] = [];
    } else {
      listKey = undefined;
      data[pair[1]] = scalar(pair[2]);
    }
  }
  return { data, body: markdown.slice(match[0].length) };
}

function scalar(text: string): unknown {
  const value = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === "true" || value === "false") return value === "true";
  if (/^\[.*\]$/.test(value)) {
    return value
      .slice(1, -1)
      .split(",")
      .map((part) => scalar(part))
      .filter((part) => part !== "");
  }
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2] : value;
}

/** Hints from `hints.md`: one per `##` section, else one per top-level list item. */
export function splitHints(markdown: string): string[] {
  const body = splitFrontMatter(markdown).body.replace(/^#\s.*$/m, "");
  const sections = body.split(/^##\s.*$/m).slice(1);
  if (sections.length > 0) return sections.map((section) => section.trim()).filter(Boolean);
  const items = body.split(/^(?:[-*]|\d+\.)\s+/m).slice(1);
  if (items.length > 0) return items.map((item) => item.trim()).filter(Boolean);
  return body.trim() ? [body.trim()] : [];
}

/** Names of `test("…")` / `it("…")` calls, in source order. */
export function testNames(source: string): string[] {
  const pattern = /\b(?:test|it)(?:\.\w+)?\(\s*(["'`])((?:\\.|(?!\1).)*)\1/g;
  return [...source.matchAll(pattern)].map((match) => match[2].replace(/\\(.)/g, "$1"));
}

function firstParagraph(markdown: string): string {
  const paragraph = markdown
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .find((block) => block && !/^(#|```|[-*] |\d+\. |>|<|\|)/.test(block));
  return (paragraph ?? "")
    .replace(/\s+/g, " ")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/[*_`]/g, "");
}

function titleFromId(id: string): string {
  const words = id.split("-").join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

async function loadOne(context: LoaderContext, root: string, id: string): Promise<void> {
  const dir = join(root, id);
  const starter = readFirst(dir, ["solution.ts"]);
  if (!starter) return; // not an exercise folder (e.g. shared fixtures)
  const metadataFile = readFirst(dir, METADATA_FILES);
  const metadata = metadataFile ? (JSON.parse(metadataFile.text) as Record<string, unknown>) : {};
  const instructionsFile = readFirst(dir, INSTRUCTION_FILES);
  const { data: frontMatter, body } = splitFrontMatter(instructionsFile?.text ?? "");
  const meta = { ...frontMatter, ...metadata };

  // The page prints the title itself: drop a leading `# Title` from the instructions.
  const heading = /^\s*#\s+(.+)\s*$/m.exec(body);
  const instructions =
    heading && body.trimStart().startsWith("#") ? body.replace(heading[0], "") : body;
  const title = String(meta.title ?? heading?.[1] ?? titleFromId(id));

  let hintSources: string[] = [];
  if (Array.isArray(meta.hints)) hintSources = meta.hints.map(String);
  else if (existsSync(join(dir, "hints.md")))
    hintSources = splitHints(readFileSync(join(dir, "hints.md"), "utf8"));
  else if (existsSync(join(dir, "hints"))) {
    hintSources = readdirSync(join(dir, "hints"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => readFileSync(join(dir, "hints", name), "utf8").trim());
  }
  const hints = await Promise.all(
    hintSources.map(async (hint) => (await context.renderMarkdown(hint)).html),
  );

  const tests = readdirSync(dir)
    .filter((name) => name.endsWith(".test.ts"))
    .sort()
    .flatMap((name) => testNames(readFileSync(join(dir, name), "utf8")));

  const data = await context.parseData({
    id,
    data: {
      title,
      lesson: typeof meta.lesson === "string" ? meta.lesson : undefined,
      summary: String(meta.summary ?? meta.blurb ?? firstParagraph(instructions)),
      order: typeof meta.order === "number" ? meta.order : undefined,
      starter: starter.text,
      reference: readFirst(dir, REFERENCE_FILES)?.text,
      hints,
      tests,
    },
  });
  const rendered = await context.renderMarkdown(instructions);
  context.store.set({
    id,
    data,
    body: instructions,
    rendered,
    digest: context.generateDigest({ data, instructions }),
  });
}

/** Loads `exercises/<id>/` folders (relative to the project root by default). */
export function exerciseLoader(options: { base?: string } = {}): Loader {
  return {
    name: "wirelab-exercises",
    load: async (context) => {
      const root = fileURLToPath(new URL(options.base ?? "./exercises/", context.config.root));
      const reload = async () => {
        context.store.clear();
        if (!existsSync(root)) return;
        const ids = readdirSync(root).filter(
          (name) => !name.startsWith(".") && statSync(join(root, name)).isDirectory(),
        );
        for (const id of ids.sort()) await loadOne(context, root, id);
      };
      await reload();
      context.watcher?.add(root);
      context.watcher?.on("all", (_event, path) => {
        if (path.startsWith(root)) void reload();
      });
    },
  };
}
