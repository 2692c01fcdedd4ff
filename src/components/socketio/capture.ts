/**
 * Sandbox captures from the Socket.IO demos: a fresh capture id, the
 * `wirelab:capture` announcement a live `<FrameVisualizer>` follows, and a
 * `/ws/tap` reader that counts the bytes each direction carried.
 */
import { sandboxUrl } from "../sandbox.ts";

/** Sent on `document` when a demo opens a captured connection (see frame-visualizer-element.ts). */
export const CAPTURE_EVENT = "wirelab:capture";

export function newCaptureId(prefix: string): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  return `${prefix}-${random}`.slice(0, 64);
}

/** Tells a live `<FrameVisualizer follow={endpoint}>` on the page to follow this capture. */
export function announceCapture(id: string, endpoint: string): void {
  document.dispatchEvent(new CustomEvent(CAPTURE_EVENT, { detail: { id, endpoint } }));
}

/** Bytes counted by a tap, per direction, split into WebSocket/TCP data and HTTP bodies. */
export interface WireTotals {
  /** Raw TCP bytes of upgraded connections (WebSocket frames), client → server. */
  dataUp: number;
  dataDown: number;
  /** HTTP bodies of Engine.IO polling requests (up) and responses (down). */
  bodyUp: number;
  bodyDown: number;
  /** HTTP requests seen (polling). */
  requests: number;
  /** Entries received so far (to know the tap caught up). */
  entries: number;
}

interface TapEntry {
  kind: string;
  direction?: "client" | "server";
  bytes?: string;
  body?: string;
  bodyEncoding?: string;
}

/**
 * Follows `/ws/tap?capture=<id>` and keeps running totals. The tap may open
 * before the connection it follows.
 */
export class CaptureCounter {
  readonly totals: WireTotals = {
    dataUp: 0,
    dataDown: 0,
    bodyUp: 0,
    bodyDown: 0,
    requests: 0,
    entries: 0,
  };
  private readonly tap: WebSocket;
  readonly ready: Promise<boolean>;

  constructor(id: string) {
    const url = new URL(sandboxUrl("/ws/tap", "ws"));
    url.searchParams.set("capture", id);
    this.tap = new WebSocket(url);
    this.ready = new Promise((resolve) => {
      this.tap.addEventListener("open", () => resolve(true));
      this.tap.addEventListener("close", () => resolve(false));
    });
    this.tap.addEventListener("message", (event: MessageEvent<unknown>) => {
      if (typeof event.data !== "string") return;
      try {
        this.count(JSON.parse(event.data) as TapEntry);
      } catch {
        // not an entry
      }
    });
  }

  private count(entry: TapEntry) {
    this.totals.entries += 1;
    const up = entry.direction === "client";
    if (entry.kind === "data" && entry.bytes !== undefined) {
      const length = base64Length(entry.bytes);
      if (up) this.totals.dataUp += length;
      else this.totals.dataDown += length;
    } else if (entry.kind === "http" && entry.body !== undefined) {
      const length =
        entry.bodyEncoding === "base64"
          ? base64Length(entry.body)
          : new TextEncoder().encode(entry.body).length;
      if (up) {
        this.totals.bodyUp += length;
        this.totals.requests += 1;
      } else {
        this.totals.bodyDown += length;
      }
    }
  }

  snapshot(): WireTotals {
    return { ...this.totals };
  }

  /** Resolves once no new entry arrived for `quietMs` (the tap batches entries a turn later). */
  async settle(quietMs = 60, maxMs = 1500): Promise<void> {
    const started = performance.now();
    let last = this.totals.entries;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if (this.totals.entries === last || performance.now() - started > maxMs) return;
      last = this.totals.entries;
    }
  }

  close(): void {
    this.tap.close(1000);
  }
}

function base64Length(text: string): number {
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length * 3) / 4 - padding;
}
