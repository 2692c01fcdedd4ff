import type { Socket } from "socket.io-client";
import {
  announceIfUnreachable,
  appendLog,
  describeError,
  loadSocketIoClient,
  type LogKind,
} from "./demo-kit.ts";
import { sandboxUrl } from "../sandbox.ts";

/** What `/events-watch` reports for each server-side event of our lab. */
interface ServerEvent {
  event: string;
  socketId?: string;
  reason?: string;
  rooms?: string[];
  transport?: string;
  message?: string;
  retryInMs?: number;
}

interface CommandAck {
  ok: boolean;
  error?: { message: string };
}

/** Behaviour of `<EventsExplorer>`. */
class EventsExplorer extends HTMLElement {
  private socket: Socket | undefined;
  private watcher: Socket | undefined;
  private readonly lab = `lab-${Math.random().toString(36).slice(2, 12)}`;

  private byRole<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  private action(name: string): HTMLButtonElement {
    return this.querySelector<HTMLButtonElement>(`[data-action="${name}"]`)!;
  }

  connectedCallback() {
    this.action("connect").addEventListener("click", () => void this.connect());
    this.action("client-disconnect").addEventListener("click", () => {
      this.clientLog("event", "socket.disconnect()", "call");
      this.socket?.disconnect();
    });
    for (const command of ["server-disconnect", "drop-transport", "go-silent"]) {
      this.action(command).addEventListener("click", () => void this.command(command));
    }
    this.action("refuse-reconnects").addEventListener(
      "click",
      () => void this.command("refuse-reconnects", { ms: 15_000 }),
    );
    void announceIfUnreachable(this.byRole("notice"));
  }

  disconnectedCallback() {
    this.socket?.disconnect();
    this.watcher?.disconnect();
  }

  private clientLog(kind: LogKind, text: string, label: string) {
    appendLog(this.byRole("client-log"), kind, text, label).dataset.event = label;
  }

  private seen(chip: string) {
    const element = this.querySelector<HTMLElement>(`[data-chip="${chip}"]`);
    if (element) element.dataset.seen = "true";
  }

  private async connect() {
    const token = this.byRole<HTMLSelectElement>("token").value;
    if (!this.socket) await this.create();
    const socket = this.socket!;
    socket.auth = { token };
    this.clientLog("event", `socket.connect() with auth.token "${token}"`, "call");
    this.render("connecting");
    socket.connect();
  }

  /** The watcher first (so it sees our connection), then the explorer's own socket. */
  private async create() {
    const { io } = await loadSocketIoClient();
    const watcher = io(sandboxUrl("/events-watch"), { forceNew: true, auth: { lab: this.lab } });
    this.watcher = watcher;
    watcher.on("server-event", (event: ServerEvent) => this.serverEvent(event));
    watcher.on("connect_error", () => void announceIfUnreachable(this.byRole("notice"), true));
    await new Promise<void>((resolve) => {
      watcher.once("connect", () => resolve());
      watcher.once("connect_error", () => resolve());
      setTimeout(resolve, 3000);
    });

    const socket = io(sandboxUrl("/events"), {
      path: "/socket.io-lab/",
      query: { lab: this.lab },
      forceNew: true,
      autoConnect: false,
      reconnectionAttempts: 3,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.clientLog(
        "received",
        `socket.id ${socket.id}, transport ${socket.io.engine.transport.name}`,
        "connect",
      );
      this.seen("client:connect");
      this.render("connected");
    });
    socket.on("connect_error", (error) => {
      this.clientLog("error", describeError(error), "connect_error");
      this.seen("client:connect_error");
      this.render(socket.active ? "connecting" : "idle");
      if (!error.message.startsWith("not authorized"))
        void announceIfUnreachable(this.byRole("notice"), true);
    });
    socket.on("disconnect", (reason) => {
      const retry = socket.active ? "the Manager will reconnect" : "no automatic reconnection";
      this.clientLog("received", `reason "${reason}" — ${retry}`, "disconnect");
      this.seen(`client:disconnect: ${reason}`);
      this.render(socket.active ? "connecting" : "idle");
    });
    const manager = socket.io;
    manager.on("reconnect_attempt", (attempt) => {
      this.clientLog("event", `attempt ${attempt}`, "reconnect_attempt");
      this.seen("client:reconnect_attempt");
    });
    manager.on("reconnect", (attempt) => {
      this.clientLog("event", `after ${attempt} attempt${attempt === 1 ? "" : "s"}`, "reconnect");
      this.seen("client:reconnect");
    });
    manager.on("reconnect_error", (error) => {
      this.clientLog("error", describeError(error), "reconnect_error");
      this.seen("client:reconnect_error");
    });
    manager.on("reconnect_failed", () => {
      this.clientLog("error", "gave up after reconnectionAttempts (3)", "reconnect_failed");
      this.seen("client:reconnect_failed");
      this.render("idle");
    });
    manager.on("ping", () => {
      if (this.byRole<HTMLInputElement>("show-ping").checked)
        this.clientLog("event", "the server's heartbeat (2)", "ping");
    });
  }

  private async command(name: string, payload?: Record<string, unknown>) {
    const socket = this.socket;
    if (!socket?.connected) return;
    this.clientLog(
      "sent",
      `emit("${name}"${payload ? `, ${JSON.stringify(payload)}` : ""}, ack)`,
      "emit",
    );
    try {
      const args: unknown[] = payload ? [payload] : [];
      const ack: CommandAck = await socket.timeout(3000).emitWithAck(name, ...args);
      if (!ack.ok) this.clientLog("error", ack.error?.message ?? "refused", "ack");
    } catch (error) {
      // The server acts right after acknowledging; a lost ack is not an error worth showing twice.
      if (socket.connected) this.clientLog("error", describeError(error), "ack");
    }
  }

  private serverEvent(event: ServerEvent) {
    const details = [
      event.socketId && `socket ${event.socketId}`,
      event.reason && `reason "${event.reason}"`,
      event.rooms && `rooms [${event.rooms.join(", ")}]`,
      event.transport && `transport ${event.transport}`,
      event.message,
      event.retryInMs !== undefined && `refused, ${event.retryInMs} ms left`,
    ].filter(Boolean);
    const kind: LogKind =
      event.event === "connect_error" || event.event === "handshake-refused" ? "error" : "received";
    appendLog(this.byRole("server-log"), kind, details.join(" · "), event.event).dataset.event =
      event.event;
    this.seen(`server:${event.event}`);
  }

  private render(state: "idle" | "connecting" | "connected") {
    const badge = this.byRole("state");
    badge.dataset.state = state;
    badge.textContent = { idle: "disconnected", connecting: "connecting…", connected: "connected" }[
      state
    ];
    const connected = state === "connected";
    this.action("connect").disabled = state !== "idle";
    for (const name of [
      "client-disconnect",
      "server-disconnect",
      "drop-transport",
      "go-silent",
      "refuse-reconnects",
    ]) {
      this.action(name).disabled = !connected;
    }
    this.action("client-disconnect").disabled = state === "idle";
  }
}

customElements.define("events-explorer", EventsExplorer);
