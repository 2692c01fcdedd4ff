/**
 * The only test file vitest is asked to run. It is collected while the
 * worker's sandbox waits, warm, before any student code exists. Once the
 * runner has put the submission in place it sends `go`, and this imports the
 * exercise's own test files, whose tests are then collected into this
 * module and run as usual.
 */
import type { EntrySignal } from "./protocol.ts";

const testFiles = await new Promise<string[]>((resolve) => {
  const onMessage = (message: EntrySignal) => {
    if (message?.wirelab !== "go") return;
    process.off("message", onMessage);
    resolve(message.testFiles);
  };
  process.on("message", onMessage);
  process.send!({ wirelab: "waiting" } satisfies EntrySignal);
});
for (const file of testFiles) {
  await import(/* @vite-ignore */ file);
}
