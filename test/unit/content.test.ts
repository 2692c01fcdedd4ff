/**
 * Content checks over every lesson (`src/lessons/NN-slug/index.mdx`).
 *
 * The class notes the course grew from contain errors (see
 * ../shared/CONTENT-FACTS.md). A lesson may quote them only inside a clearly
 * marked myth or history note:
 *
 *   <div class="callout myth" data-myth> … </div>
 *   <div class="callout history"> … </div>
 *
 * (any element with `data-myth`, or a `callout` whose class has `myth` or
 * `history`). Quiz data (`export const x = [...]` passed to `<Quiz questions={x}>`)
 * may name an error in a wrong choice or in an explanation, never in a prompt
 * or in the right answer.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/sandbox.ts";

const LESSONS = join(ROOT, "src/lessons");

interface KnownError {
  name: string;
  pattern: RegExp;
}

/** The notes' errors, as they would appear if a lesson repeated them. */
const KNOWN_ERRORS: KnownError[] = [
  { name: "the `wws:` scheme (it is `wss:`)", pattern: /\bwws:/i },
  { name: "`connect_timeout` (removed in Socket.IO v3)", pattern: /\bconnect[_-]timeout\b/i },
  { name: "`Connect_failed` (Socket.IO 0.9)", pattern: /\bconnect_failed\b/i },
  {
    name: "a `Reconnecting` event (Socket.IO 0.9)",
    pattern: /[`'"]reconnecting[`'"]|\breconnecting\s+[−–-]\s|\breconnecting\s+event/i,
  },
  {
    name: '"Socket.IO hosts its own servers"',
    pattern:
      /hosts?\s+(?:its|it's)\s+own\s+servers|(?:hosted|implemented)\s+on\s+its\s+(?:own\s+)?servers/i,
  },
  { name: "FlashSocket as a transport (0.9 era)", pattern: /\bflash\s?socket\b/i },
  { name: "JSONP polling as a transport (removed)", pattern: /\bjsonp\b/i },
  { name: "XHR multipart streaming as a transport (0.9 era)", pattern: /multipart\s+streaming/i },
  {
    name: "the Key/Accept exchange preventing caching proxies from replaying",
    pattern: /prevents?\s+(?:a\s+)?caching\s+prox(?:y|ies)/i,
  },
];

/**
 * A live demo is a component that talks to the sandbox server: its `.astro`
 * file, or a module it loads (followed three levels deep), uses
 * `sandbox.ts`, opens a `WebSocket` or loads `socket.io-client`.
 */
const TALKS_TO_SANDBOX = /sandbox\.ts|new WebSocket\(|socket\.io-client/;

function talksToSandbox(file: string, depth = 3, seen = new Set<string>()): boolean {
  if (seen.has(file) || !existsSync(file)) return false;
  seen.add(file);
  const code = readFileSync(file, "utf8");
  if (TALKS_TO_SANDBOX.test(code)) return true;
  if (depth === 0) return false;
  const relative = [...code.matchAll(/(?:from\s+|import\s+|src=)["'](\.{1,2}\/[^"']+)["']/g)];
  return relative.some(([, path]) => talksToSandbox(resolve(dirname(file), path), depth - 1, seen));
}

/** Names of the components a lesson imports and uses that are live demos. */
function demoComponents(folder: string, source: string): string[] {
  const imports = source.matchAll(/^import (\w+) from "(\.[^"]+\.astro)";/gm);
  return [...imports]
    .filter(([, name]) => new RegExp(`<${name}\\b`).test(source))
    .filter(([, , path]) => talksToSandbox(resolve(LESSONS, folder, path)))
    .map(([, name]) => name);
}

interface Lesson {
  folder: string;
  source: string;
}

function lessons(): Lesson[] {
  return readdirSync(LESSONS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d+-/.test(entry.name))
    .map((entry) => ({
      folder: entry.name,
      source: readFileSync(join(LESSONS, entry.name, "index.mdx"), "utf8"),
    }));
}

/** Index just past the bracket that closes the one at `open`, skipping strings and comments. */
function matchingBracket(text: string, open: number): number {
  const pairs: Record<string, string> = { "[": "]", "{": "}", "(": ")" };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === '"' || char === "'" || char === "`") {
      for (i++; i < text.length && text[i] !== char; i++) if (text[i] === "\\") i++;
    } else if (char === "/" && text[i + 1] === "/") {
      i = text.indexOf("\n", i);
      if (i < 0) return text.length;
    } else if (char === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i) + 1;
    } else if (pairs[char]) {
      stack.push(pairs[char]);
    } else if (char === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced bracket at offset ${open}`);
}

/** Removes every marked myth/history element (with its nested content) from MDX source. */
function withoutMarkedNotes(source: string): string {
  const opening =
    /<(\w+)\b(?=[^>]*(?:\sdata-myth\b|\sclass="[^"]*\bcallout\b[^"]*\b(?:myth|history)\b|\sclass="[^"]*\b(?:myth|history)\b[^"]*\bcallout\b))[^>]*>/g;
  let result = source;
  for (let match = opening.exec(result); match; match = opening.exec(result)) {
    const tag = match[1];
    const tags = new RegExp(`<${tag}\\b[^>]*>|</${tag}>`, "g");
    tags.lastIndex = match.index + match[0].length;
    let depth = 1;
    let end = result.length;
    for (let t = tags.exec(result); t; t = tags.exec(result)) {
      depth += t[0].startsWith("</") ? -1 : 1;
      if (depth === 0) {
        end = t.index + t[0].length;
        break;
      }
    }
    result = result.slice(0, match.index) + result.slice(end);
    opening.lastIndex = match.index;
  }
  return result;
}

interface QuizChoiceData {
  text: string;
  correct?: boolean;
  why: string;
}
interface QuizQuestionData {
  prompt: string;
  choices: QuizChoiceData[];
}

/**
 * Splits `export const name = [...]` blocks off the MDX. Returns the rest of
 * the source and the exports (evaluated: they are plain data literals).
 */
function splitExports(source: string): { prose: string; exports: Map<string, unknown> } {
  const exports = new Map<string, unknown>();
  let prose = source;
  const pattern = /^export const (\w+)\s*=\s*([[{])/m;
  for (let match = pattern.exec(prose); match; match = pattern.exec(prose)) {
    const open = match.index + match[0].length - 1;
    const close = matchingBracket(prose, open);
    exports.set(match[1], new Function(`return (${prose.slice(open, close)});`)());
    prose = prose.slice(0, match.index) + prose.slice(close);
  }
  return { prose, exports };
}

/** Where in a lesson each known error appears outside a marked note. */
function misplacedErrors(source: string): string[] {
  const { prose, exports } = splitExports(source.replace(/^---\n[\s\S]*?\n---\n/, ""));
  const texts: { where: string; text: string }[] = [
    { where: "lesson text", text: withoutMarkedNotes(prose) },
  ];
  for (const [, name] of prose.matchAll(/<Quiz\b[^>]*\bquestions=\{(\w+)\}/g)) {
    const questions = exports.get(name) as QuizQuestionData[] | undefined;
    questions?.forEach((question, index) => {
      texts.push({ where: `quiz question ${index + 1} prompt`, text: question.prompt });
      for (const choice of question.choices) {
        if (choice.correct)
          texts.push({ where: `quiz question ${index + 1} answer`, text: choice.text });
      }
    });
  }
  // Quiz data written inline (`questions={[...]}`) is checked like prose.
  return texts.flatMap(({ where, text }) =>
    KNOWN_ERRORS.filter(({ pattern }) => pattern.test(text)).map(
      ({ name, pattern }) => `${name} in ${where}: “${text.match(pattern)![0]}”`,
    ),
  );
}

function frontMatter(source: string): string {
  return /^---\n([\s\S]*?)\n---\n/.exec(source)?.[1] ?? "";
}

describe("the content checker itself", () => {
  it("finds an error in prose and ignores it inside a myth or history note", () => {
    expect(misplacedErrors("Use wws://example.com for TLS.")).toHaveLength(1);
    expect(
      misplacedErrors(
        'Intro.\n<div class="callout myth" data-myth>\n\nThe notes say `wws:`.\n<div>nested</div>\n</div>\nAfter.',
      ),
    ).toEqual([]);
    expect(
      misplacedErrors(
        '<div class="callout history">\n\nFlashSocket and JSONP polling were transports in 0.9.\n</div>',
      ),
    ).toEqual([]);
    // Text after the note is checked again.
    expect(
      misplacedErrors(
        '<div class="callout myth" data-myth>wws:</div>\nNow listen for `connect_timeout`.',
      ),
    ).toHaveLength(1);
  });

  it("flags an old event presented as current, and each error the notes make", () => {
    expect(misplacedErrors('socket.on("reconnecting", retry);')).toHaveLength(1);
    expect(misplacedErrors("## Reconnecting a raw WebSocket")).toEqual([]);
    expect(misplacedErrors("Socket.IO hosts its own servers.")).toHaveLength(1);
    expect(
      misplacedErrors("the event pools are implemented and hosted on its own servers"),
    ).toHaveLength(1);
    expect(misplacedErrors("It falls back to FlashSocket.")).toHaveLength(1);
    expect(misplacedErrors("Connect_failed fires when…")).toHaveLength(1);
    expect(misplacedErrors("This prevents a caching proxy from replaying")).toHaveLength(1);
  });

  it("lets a quiz name an error in a wrong choice or an explanation, not in the answer", () => {
    const lesson = (answer: string) => `export const quiz = [
  {
    prompt: "Which scheme is secure?",
    choices: [
      { text: "${answer}", correct: true, why: "Not \`wws:\`, which does not exist." },
      { text: "\`wws:\`", why: "A typo: [sic] (brackets in strings are fine)." },
    ],
  },
];

<Quiz questions={quiz} />`;
    expect(misplacedErrors(lesson("`wss:`"))).toEqual([]);
    expect(misplacedErrors(lesson("`wws:`"))).toEqual([
      "the `wws:` scheme (it is `wss:`) in quiz question 1 answer: “wws:”",
    ]);
  });
});

describe("live demo detection", () => {
  it("counts a component that connects to the sandbox, not a static one", () => {
    const source = `import LiveDemo from "../../components/LiveDemo.astro";
import SequenceDiagram from "../../components/SequenceDiagram.astro";

<SequenceDiagram title="x" steps={[]} />`;
    expect(demoComponents("01-what-is-a-websocket", source)).toEqual([]);
    expect(
      demoComponents("01-what-is-a-websocket", `${source}\n<LiveDemo endpoint="/ws/echo" />`),
    ).toEqual(["LiveDemo"]);
  });
});

describe.each(lessons())("lesson $folder", ({ folder, source }) => {
  it("repeats none of the class notes' errors outside a marked myth/history note", () => {
    expect(misplacedErrors(source)).toEqual([]);
  });

  it("has an order equal to its folder number", () => {
    const order = /^order:\s*(\d+)\s*$/m.exec(frontMatter(source))?.[1];
    expect(Number(order)).toBe(Number.parseInt(folder, 10));
  });

  it("lists learning objectives", () => {
    expect(frontMatter(source)).toMatch(/^objectives:\s*\n(?:\s+-\s+\S.*\n?)+/m);
  });

  it("has a check-your-understanding <Quiz>", () => {
    expect(source).toMatch(/<Quiz\b/);
  });

  it("embeds at least one live demo", () => {
    expect(demoComponents(folder, source)).not.toEqual([]);
  });
});
