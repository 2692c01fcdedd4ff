import type { Socket } from "socket.io-client";
import { announceCapture, newCaptureId } from "./capture.ts";
import {
  announceIfUnreachable,
  appendLog,
  clearLog,
  describeError,
  openSocketIo,
  type LogKind,
} from "./demo-kit.ts";
import { watchEngine } from "./engine-watch.ts";

const EMPTY = "Pick the options and connect.";
const MODES: Record<string, string[]> = {
  default: ["polling", "websocket"],
  websocket: ["websocket"],
  polling: ["polling"],
};

/** Behaviour of `<TransportSwitch>`. */
class TransportSwitch extends HTMLElement {
  private socket: Socket | undefined;
  private count = 0;

  private byRole<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    this.byRole("connect").addEventListener("click", () => void this.connect());
    this.byRole("disconnect").addEventListener("click", () => this.socket?.disconnect());
    this.byRole("emit").addEventListener("click", () => void this.emit());
    this.byRole("clear").addEventListener("click", () => clearLog(this.byRole("log"), EMPTY));
    void announceIfUnreachable(this.byRole("notice"));
  }

  disconnectedCallback() {
    this.socket?.disconnect();
  }

  private log(kind: LogKind, text: string, label?: string) {
    appendLog(this.byRole("log"), kind, text, label);
  }

  private transportName(): string {
    return this.socket?.io.engine?.transport?.name ?? "none";
  }

  private async connect() {
    this.socket?.disconnect();
    const mode = this.byRole<HTMLSelectElement>("mode").value;
    const transports = MODES[mode] ?? MODES.default;
    const capture = newCaptureId("sio-transports");
    announceCapture(capture, "/socket.io/");
    this.render("connecting");
    this.log("event", `io("/", { transports: ${JSON.stringify(transports)} })`, "• call");
    const socket = await openSocketIo("/", {
      transports,
      query: { capture },
      autoConnect: false,
      reconnection: false,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.log("received", `connect — over ${this.transportName()}`, "• connect");
      this.render("connected");
    });
    socket.on("connect_error", (error) => {
      this.log("error", `connect_error: ${describeError(error)}`);
      this.render("idle");
      void announceIfUnreachable(this.byRole("notice"), true);
    });
    socket.on("disconnect", (reason) => {
      this.log("event", `disconnect — "${reason}"`);
      if (socket === this.socket) this.render("idle");
    });
    const attach = watchEngine(socket, (direction, wire) => {
      this.log(
        direction === "in" ? "wire-in" : "wire-out",
        `[${this.transportName()}] ${wire.text}`,
      );
    });
    socket.connect();
    attach();
    const engine = socket.io.engine;
    engine.on("handshake", (data) => {
      this.log(
        "event",
        `handshake: sid ${data.sid}, upgrades ${JSON.stringify(data.upgrades)}`,
        "• engine",
      );
    });
    engine.on("upgrading", (transport) => {
      this.log(
        "event",
        `upgrading: a ${transport.name} connection answered the probe (2probe → 3probe); polling is paused`,
        "• engine",
      );
    });
    engine.on("upgrade", (transport) => {
      this.log("event", `upgrade: 5 sent, the session now runs over ${transport.name}`, "• engine");
      this.render("connected");
    });
    engine.on("upgradeError", (error) =>
      this.log("error", `upgrade failed: ${describeError(error)}`),
    );
  }

  private async emit() {
    const socket = this.socket;
    if (!socket?.connected) return;
    this.count += 1;
    try {
      await socket.timeout(5000).emitWithAck("echo", `message ${this.count}`);
    } catch (error) {
      this.log("error", describeError(error));
    }
  }

  private render(state: "idle" | "connecting" | "connected") {
    const badge = this.byRole("state");
    badge.dataset.state = state;
    badge.textContent = { idle: "disconnected", connecting: "connecting…", connected: "connected" }[
      state
    ];
    this.byRole("transport").textContent = state === "idle" ? "none" : this.transportName();
    this.dataset.transport = state === "connected" ? this.transportName() : "";
    this.byRole<HTMLButtonElement>("connect").disabled = state === "connecting";
    this.byRole<HTMLButtonElement>("emit").disabled = state !== "connected";
    this.byRole<HTMLButtonElement>("disconnect").disabled = state === "idle";
  }
}

customElements.define("transport-switch", TransportSwitch);
