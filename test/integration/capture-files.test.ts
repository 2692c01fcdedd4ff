import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CaptureEntryJson } from "../../sandbox-server/capture/index.ts";
import { FrameParser, decodeEngineIoPayload } from "../../src/protocol/index.ts";
import { ROOT } from "../support/sandbox.ts";

const DIR = `${ROOT}public/captures/`;

interface CaptureFile {
  format: string;
  version: number;
  title: string;
  description: string;
  entries: CaptureEntryJson[];
}

const read = (name: string) => JSON.parse(readFileSync(`${DIR}${name}`, "utf8")) as unknown;
const files = readdirSync(DIR).filter((name) => name.endsWith(".json") && name !== "index.json");

describe("shipped captures (public/captures)", () => {
  it("lists every capture file in index.json", () => {
    const index = read("index.json") as {
      format: string;
      version: number;
      captures: { id: string; title: string }[];
    };
    expect(index).toMatchObject({ format: "wirelab-capture-index", version: 1 });
    expect(index.captures.map((c) => `${c.id}.json`).sort()).toEqual([...files].sort());
  });

  for (const name of files) {
    it(`${name} is a version 1 capture whose bytes decode cleanly and that ends`, () => {
      const file = read(name) as CaptureFile;
      expect(file).toMatchObject({ format: "wirelab-capture", version: 1 });
      expect(file.title).toBeTruthy();
      expect(readFileSync(`${DIR}${name}`).length).toBeLessThan(8 * 1024);
      const deflate = new Map<number, boolean>();
      const parsers = new Map<string, FrameParser>();
      let frames = 0;
      for (const entry of file.entries) {
        if (entry.kind === "handshake") {
          expect(entry.response).toMatch(/^HTTP\/1\.1 101 /);
          deflate.set(
            entry.connection,
            /Sec-WebSocket-Extensions: permessage-deflate/i.test(entry.response),
          );
        } else if (entry.kind === "data") {
          const key = `${entry.connection}:${entry.direction}`;
          let parser = parsers.get(key);
          if (!parser) {
            parser = new FrameParser({
              role: entry.direction === "client" ? "server" : "client",
              extensions: { permessageDeflate: deflate.get(entry.connection) ?? false },
            });
            parsers.set(key, parser);
          }
          const out = parser.push(new Uint8Array(Buffer.from(entry.bytes, "base64")));
          expect(out.error).toBeUndefined();
          frames += out.frames.length;
        } else if (entry.kind === "http" && entry.body !== "" && entry.body !== "ok") {
          expect(Array.isArray(decodeEngineIoPayload(entry.body))).toBe(true);
        }
      }
      for (const parser of parsers.values()) expect(parser.bufferedBytes).toBe(0);
      expect(frames).toBeGreaterThan(0);
      expect(file.entries.at(-1)?.kind).toBe("end");
    });
  }
});
