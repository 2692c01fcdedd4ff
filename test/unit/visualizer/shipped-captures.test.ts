import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readCaptureFile } from "../../../src/components/visualizer/capture-format.ts";
import { Session } from "../../../src/components/visualizer/session.ts";
import { itemSteps, itemSummary } from "../../../src/components/visualizer/view-model.ts";

const DIR = new URL("../../../public/captures/", import.meta.url);
const files = readdirSync(DIR).filter((name) => name.endsWith(".json") && name !== "index.json");

describe.runIf(files.length > 0)("every shipped capture replays", () => {
  it.each(files)("%s reads, parses without protocol errors and has steps everywhere", (name) => {
    const read = readCaptureFile(readFileSync(new URL(name, DIR), "utf8"));
    if (!read.ok) throw new Error(read.error);
    const session = Session.from(read.capture.entries);
    const timeline = session.timeline();
    expect(timeline.some((item) => item.kind === "frame")).toBe(true);
    expect(timeline.filter((item) => item.kind === "error" || item.kind === "pending")).toEqual([]);
    for (const item of timeline) {
      expect(itemSteps(session, item).length).toBeGreaterThan(0);
      expect(itemSummary(item)).not.toBe("");
    }
    const handshake = session.handshake;
    expect(handshake?.acceptMatches).toBe(true);
  });
});
