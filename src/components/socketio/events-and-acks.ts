import type { Socket } from "socket.io-client";
import {
  announceIfUnreachable,
  appendLog,
  clearLog,
  describeError,
  openSocketIo,
  type LogKind,
} from "./demo-kit.ts";
import { watchEngine } from "./engine-watch.ts";

const EMPTY = "Nothing yet. Connect, then emit.";

/** Behaviour of `<EventsAndAcks>`. */
class EventsAndAcks extends HTMLElement {
  private socket: Socket | undefined;

  private byRole<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    this.byRole("connect").addEventListener("click", () => void this.connect());
    this.byRole("disconnect").addEventListener("click", () => this.socket?.disconnect());
    this.byRole("clear").addEventListener("click", () => clearLog(this.byRole("log"), EMPTY));
    this.byRole("form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.echo(false);
    });
    this.querySelector("[data-action=binary]")!.addEventListener(
      "click",
      () => void this.echo(true),
    );
    this.querySelector("[data-action=timeout]")!.addEventListener(
      "click",
      () => void this.unheard(),
    );
    void announceIfUnreachable(this.byRole("notice"));
  }

  disconnectedCallback() {
    this.socket?.disconnect();
  }

  private log(kind: LogKind, text: string, label?: string) {
    appendLog(this.byRole("log"), kind, text, label);
  }

  private async connect() {
    if (this.socket?.connected) return;
    this.render("connecting");
    const socket =
      this.socket ?? (await openSocketIo("/", { autoConnect: false, reconnectionAttempts: 3 }));
    if (!this.socket) {
      this.socket = socket;
      socket.on("connect", () => {
        this.log("event", `connect — socket.id ${socket.id}`);
        this.render("connected");
      });
      socket.on("connect_error", (error) => {
        this.log("error", `connect_error: ${describeError(error)}`);
        this.render("error");
        void announceIfUnreachable(this.byRole("notice"), true);
      });
      socket.on("disconnect", (reason) => {
        this.log("event", `disconnect — reason "${reason}"`);
        this.render("idle");
      });
      const attach = watchEngine(socket, (direction, wire) => {
        if (!this.byRole<HTMLInputElement>("show-wire").checked) return;
        this.log(direction === "in" ? "wire-in" : "wire-out", wire.text);
      });
      socket.connect();
      attach();
    } else {
      socket.connect();
    }
  }

  private async echo(withBinary: boolean) {
    const socket = this.socket;
    if (!socket?.connected) return;
    const text = this.byRole<HTMLInputElement>("text").value;
    const started = performance.now();
    const elapsed = () => `${(performance.now() - started).toFixed(1)} ms`;
    if (!withBinary) {
      this.log("sent", `await socket.timeout(5000).emitWithAck("echo", ${JSON.stringify(text)})`);
      try {
        // timeout() makes a lost acknowledgement an error instead of a promise that never settles.
        const reply: unknown = await socket.timeout(5000).emitWithAck("echo", text);
        this.log("received", `resolved after ${elapsed()} with ${describeValue(reply)}`, "↓ ack");
      } catch (error) {
        this.log("error", describeError(error));
      }
      return;
    }
    // The callback form hands over every argument of the acknowledgement, not only the first.
    const bytes = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    this.log(
      "sent",
      `socket.timeout(5000).emit("echo", ${JSON.stringify(text)}, Uint8Array [de ad be ef], callback)`,
    );
    socket.timeout(5000).emit("echo", text, bytes, (error: Error | null, ...reply: unknown[]) => {
      if (error) this.log("error", describeError(error));
      else
        this.log(
          "received",
          `callback after ${elapsed()} with ${reply.map(describeValue).join(", ")}`,
          "↓ ack",
        );
    });
  }

  private async unheard() {
    const socket = this.socket;
    if (!socket?.connected) return;
    this.log("sent", `timeout(1500).emitWithAck("nobody-listens", …)`);
    try {
      await socket.timeout(1500).emitWithAck("nobody-listens", "anyone?");
      this.log("received", "acknowledged (unexpected)", "↓ ack");
    } catch (error) {
      this.log(
        "error",
        `rejected: ${describeError(error)} — the server has no listener, so no ack ever comes`,
      );
    }
  }

  private render(state: "idle" | "connecting" | "connected" | "error") {
    const badge = this.byRole("state");
    badge.dataset.state = state;
    badge.textContent = {
      idle: "disconnected",
      connecting: "connecting…",
      connected: "connected",
      error: "connect_error",
    }[state];
    const connected = state === "connected";
    this.byRole<HTMLButtonElement>("connect").disabled = connected || state === "connecting";
    this.byRole<HTMLButtonElement>("disconnect").disabled = !connected;
    for (const button of this.querySelectorAll<HTMLButtonElement>("[data-action]")) {
      button.disabled = !connected;
    }
  }
}

/** A received value as text, binary parts shown as their bytes. */
function describeValue(value: unknown): string {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes =
      value instanceof ArrayBuffer
        ? new Uint8Array(value)
        : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return `<${bytes.length} bytes: ${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ")}>`;
  }
  if (Array.isArray(value)) return `[${value.map(describeValue).join(", ")}]`;
  return JSON.stringify(value) ?? String(value);
}

customElements.define("events-and-acks", EventsAndAcks);
