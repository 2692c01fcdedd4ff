/**
 * The visualizer on a 100,000-frame capture, in Chromium: time to first paint
 * (navigation → timeline rows and the first step drawn) and time per step
 * (key press → next frame painted), by field, by frame and to the end.
 *
 *   node bench/visualizer-large.ts [--frames 100000] [--dist dist]
 *
 * Needs a built site (`npx astro build`) and Chromium. The capture is made
 * with the protocol's encoder (fixed masking keys) and served to the page
 * as /captures/bench-large.json; the site itself is served statically.
 */
import { createServer } from "node:http";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { base64Encode, encodeFrame } from "../src/protocol/index.ts";
import {
  formatCaptureFile,
  type CaptureEntry,
} from "../src/components/visualizer/capture-format.ts";
import { sampleCapture } from "../src/components/visualizer/sample-capture.ts";
import { Session } from "../src/components/visualizer/session.ts";
import { createStaticSite } from "../sandbox-server/static-site.ts";
import { launchChromium } from "../test/support/chromium.ts";

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "100000" },
    dist: { type: "string", default: resolve(import.meta.dirname, "../dist") },
    steps: { type: "string", default: "200" },
  },
});
const frameCount = Number(values.frames);
const stepCount = Number(values.steps);

function largeCapture(frames: number): string {
  const entries: CaptureEntry[] = [sampleCapture().entries[0]];
  const key = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
  let time = Date.UTC(2025, 0, 1);
  for (let i = 0; i < frames; i++) {
    const client = i % 2 === 0;
    const text = `message ${i >> 1}: ${"x".repeat(i % 40)}`;
    const bytes = encodeFrame({ opcode: 1, payload: text, mask: client, maskingKey: key });
    entries.push({
      kind: "data",
      direction: client ? "client" : "server",
      time: time++,
      bytes: base64Encode(bytes),
    });
  }
  entries.push({ kind: "end", time });
  return formatCaptureFile({ title: `${frames.toLocaleString("en")} frames`, entries });
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

const buildStarted = performance.now();
const captureJson = largeCapture(frameCount);
const generated = performance.now() - buildStarted;
const sessionStarted = performance.now();
const session = Session.from(JSON.parse(captureJson).entries);
const sessionMs = performance.now() - sessionStarted;
console.log(
  `Capture: ${frameCount.toLocaleString("en")} frames, ${(captureJson.length / 1e6).toFixed(1)} MB of JSON (generated in ${ms(generated)}); Node builds the session in ${ms(sessionMs)} (${session.items.length.toLocaleString("en")} items).`,
);

const site = createStaticSite(values.dist);
const server = createServer((request, response) => {
  if (request.url === "/captures/bench-large.json") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(captureJson);
    return;
  }
  site(request, response);
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const address = server.address();
const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
// Marks the first frame painted with rows of the large capture and its first
// step, and the moment the whole capture has been read (parsed in slices).
await page.addInitScript(() => {
  const marks: Record<string, number> = {};
  (window as unknown as { benchMarks: Record<string, number> }).benchMarks = marks;
  const observer = new MutationObserver(() => {
    const counts = document.querySelector(".fv-counts")?.textContent ?? "";
    const items = Number(/^([\d,]+) items/.exec(counts)?.[1].replace(/,/g, "") ?? 0);
    if (items < 1000) return;
    if (
      !marks.painted &&
      document.querySelector(".fv-row") &&
      document.querySelector("[data-role=step-label]")
    ) {
      marks.rendered = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => (marks.painted = performance.now())));
    }
    if (!marks.complete && !counts.includes("reading")) marks.complete = performance.now();
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
});

type Marks = { benchMarks: Record<string, number> };
const firstPaint: number[] = [];
const complete: number[] = [];
for (let run = 0; run < 3; run++) {
  await page.goto("about:blank");
  await page.goto(`${base}/visualizer/#capture=bench-large&frame=0&step=0`);
  await page.waitForFunction(
    () => {
      const marks = (window as unknown as Marks).benchMarks;
      return marks.painted && marks.complete;
    },
    undefined,
    { timeout: 300_000 },
  );
  const marks = await page.evaluate(() => (window as unknown as Marks).benchMarks);
  firstPaint.push(marks.painted);
  complete.push(marks.complete);
}

/** Presses a key `count` times in the page; each sample is key press → the next frame painted. */
async function timeKeys(key: string, shiftKey: boolean, count: number): Promise<number[]> {
  return page.evaluate(
    async ({ key, shiftKey, count }) => {
      const list = document.querySelector<HTMLElement>(".fv-list")!;
      list.focus();
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        list.dispatchEvent(
          new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true }),
        );
        await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
        samples.push(performance.now() - started);
      }
      return samples;
    },
    { key, shiftKey, count },
  );
}

// The floor on this machine: a key the visualizer ignores, then the next frame.
const idle = stats(await timeKeys("a", false, 50));
const byField = stats(await timeKeys("ArrowRight", false, stepCount));
const byFrame = stats(await timeKeys("ArrowRight", true, stepCount));
const toEnd = stats(await timeKeys("End", false, 5));
const home = stats(await timeKeys("Home", false, 5));
const rowsInDom = await page.evaluate(() => document.querySelectorAll(".fv-row").length);
const heap = await page.evaluate(
  () =>
    (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
);

await browser.close();
server.close();

const line = (label: string, value: ReturnType<typeof stats>) =>
  console.log(`${label}: median ${ms(value.median)}, p95 ${ms(value.p95)}, max ${ms(value.max)}`);
console.log(
  `First paint (navigation → rows + first step painted), 3 runs: ${firstPaint.map(ms).join(", ")}`,
);
console.log(
  `Whole capture read (in slices, the page responsive meanwhile), 3 runs: ${complete.map(ms).join(", ")}`,
);
line("Idle round trip (ignored key → next frame: this machine's floor)", idle);
line(`Step by field (→), ${stepCount} presses`, byField);
line(`Step by frame (Shift+→), ${stepCount} presses`, byFrame);
line("Jump to the last frame (End)", toEnd);
line("Back to the first (Home)", home);
console.log(
  `Timeline rows in the DOM: ${rowsInDom} (virtualized); JS heap ${(heap / 1e6).toFixed(0)} MB`,
);
