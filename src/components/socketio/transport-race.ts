import type { Socket } from "socket.io-client";
import { sandboxUrl } from "../sandbox.ts";
import { CaptureCounter, newCaptureId, type WireTotals } from "./capture.ts";
import { announceIfUnreachable, describeError, openSocketIo } from "./demo-kit.ts";

const MESSAGES = 10;

/** One way of sending a text and waiting for its answer. */
interface Lane {
  open(capture: string): Promise<void>;
  roundTrip(text: string): Promise<void>;
  close(): void;
}

function rawWebSocketLane(): Lane {
  let socket: WebSocket | undefined;
  return {
    async open(capture) {
      const url = new URL(sandboxUrl("/ws/echo", "ws"));
      url.searchParams.set("capture", capture);
      socket = new WebSocket(url);
      await new Promise<void>((resolve, reject) => {
        socket!.addEventListener("open", () => resolve());
        socket!.addEventListener("close", () => reject(new Error("the WebSocket closed")));
      });
    },
    roundTrip(text) {
      return new Promise<void>((resolve) => {
        socket!.addEventListener("message", () => resolve(), { once: true });
        socket!.send(text);
      });
    },
    close() {
      socket?.close(1000);
    },
  };
}

function socketIoLane(transport: "websocket" | "polling"): Lane {
  let socket: Socket | undefined;
  return {
    async open(capture) {
      socket = await openSocketIo("/", {
        transports: [transport],
        query: { capture },
        reconnection: false,
      });
      await new Promise<void>((resolve, reject) => {
        socket!.once("connect", () => resolve());
        socket!.once("connect_error", (error) => reject(error));
      });
    },
    async roundTrip(text) {
      await socket!.timeout(5000).emitWithAck("echo", text);
    },
    close() {
      socket?.disconnect();
    },
  };
}

const LANES: Record<string, () => Lane> = {
  ws: rawWebSocketLane,
  "sio-ws": () => socketIoLane("websocket"),
  "sio-polling": () => socketIoLane("polling"),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Behaviour of `<TransportRace>`. */
class TransportRace extends HTMLElement {
  private byRole<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    this.byRole("run").addEventListener("click", () => void this.run());
    void announceIfUnreachable(this.byRole("notice"));
  }

  private async run() {
    const button = this.byRole<HTMLButtonElement>("run");
    button.disabled = true;
    delete this.dataset.done;
    try {
      for (const row of this.querySelectorAll<HTMLTableRowElement>("tr[data-lane]")) {
        for (const cell of row.querySelectorAll("td")) cell.textContent = "…";
      }
      for (const row of this.querySelectorAll<HTMLTableRowElement>("tr[data-lane]")) {
        row.dataset.running = "true";
        try {
          await this.runLane(row);
        } catch (error) {
          row.querySelector("[data-role=rtt]")!.textContent = `failed: ${describeError(error)}`;
          void announceIfUnreachable(this.byRole("notice"), true);
        } finally {
          delete row.dataset.running;
        }
      }
      this.dataset.done = "true";
    } finally {
      button.disabled = false;
    }
  }

  private async runLane(row: HTMLTableRowElement) {
    const id = row.dataset.lane!;
    const capture = newCaptureId(`race-${id}`);
    const counter = new CaptureCounter(capture);
    const lane = LANES[id]();
    const cell = (role: string) => row.querySelector<HTMLElement>(`[data-role=${role}]`)!;
    try {
      if (!(await counter.ready)) throw new Error("the capture tap is not available");
      await lane.open(capture);
      await lane.roundTrip("warm-up"); // not counted: the first exchange may still settle the transport
      await counter.settle(120);
      const before: WireTotals = counter.snapshot();
      const times: number[] = [];
      for (let i = 1; i <= MESSAGES; i++) {
        const started = performance.now();
        await lane.roundTrip(`hello, wire #${String(i).padStart(2, "0")}`);
        times.push(performance.now() - started);
      }
      await counter.settle(120);
      const after = counter.snapshot();
      const up = after.dataUp - before.dataUp + after.bodyUp - before.bodyUp;
      const down = after.dataDown - before.dataDown + after.bodyDown - before.bodyDown;
      const requests = after.requests - before.requests;
      // Polling: the capture records HTTP bodies, not headers, so say so next to the number.
      const plusHeaders = id === "sio-polling" ? " + HTTP headers" : "";
      cell("rtt").textContent = `${median(times).toFixed(1)} ms`;
      cell("up").textContent = `${(up / MESSAGES).toFixed(0)} B${plusHeaders}`;
      cell("down").textContent = `${(down / MESSAGES).toFixed(0)} B${plusHeaders}`;
      cell("requests").textContent = (requests / MESSAGES).toFixed(1);
      row.dataset.measured = "true";
    } finally {
      lane.close();
      counter.close();
    }
  }
}

customElements.define("transport-race", TransportRace);
