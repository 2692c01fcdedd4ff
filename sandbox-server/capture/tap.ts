import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import {
  type Capture,
  type CaptureEntry,
  type CaptureStore,
  isValidCaptureId,
  serializeEntry,
} from "./capture-store.ts";

/** A tap whose client reads slower than this many buffered bytes is closed (1013), never waited for. */
export const TAP_MAX_BUFFERED = 8 * 1024 * 1024;

/**
 * `/ws/tap?capture=<id>`: streams a capture as JSON text messages, the
 * entries recorded so far first, then new ones as they are recorded. A tap
 * may open before the connection it follows.
 */
export class CaptureTap {
  private readonly store: CaptureStore;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly taps = new Map<WebSocket, Capture>();

  constructor(store: CaptureStore) {
    this.store = store;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const id = url.searchParams.get("capture") ?? "";
    if (!isValidCaptureId(id)) {
      refuse(socket, 400, "Bad Request", "capture id must be 8–64 of [A-Za-z0-9_-]");
      return;
    }
    const existing = this.store.get(id);
    if (existing && existing.tapCount >= this.store.limits.maxTapsPerCapture) {
      refuse(socket, 429, "Too Many Requests", "too many taps on this capture");
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.follow(ws, this.store.open(id)));
  }

  private follow(ws: WebSocket, capture: Capture): void {
    ws.on("error", () => {});
    this.taps.set(ws, capture);
    // Live entries are queued and sent in a later turn: the recorded connection never does the tap's work.
    let queue: CaptureEntry[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const batch = queue;
      queue = [];
      for (const entry of batch) this.send(ws, entry);
    };
    const unsubscribe = capture.subscribe((entry) => {
      queue.push(entry);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
    ws.once("close", () => {
      unsubscribe();
      this.taps.delete(ws);
    });
    for (const entry of capture.entries) this.send(ws, entry);
  }

  private send(ws: WebSocket, entry: CaptureEntry): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > TAP_MAX_BUFFERED) {
      ws.close(1013, "tap too slow");
      return;
    }
    ws.send(serializeEntry(entry));
  }

  /** Closes the taps of a capture that was dropped. */
  dropped(capture: Capture, reason: string): void {
    for (const [ws, followed] of this.taps) {
      if (followed === capture) ws.close(1001, `capture ${reason}`);
    }
  }

  async close(): Promise<void> {
    for (const ws of this.taps.keys()) ws.close(1001, "server shutting down");
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function refuse(socket: Duplex, status: number, reason: string, explanation: string): void {
  const body = `${status} ${reason}: ${explanation}\n`;
  socket.on("error", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.once("finish", () => socket.destroy());
}
