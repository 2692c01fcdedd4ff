import { sandboxUrl } from "../sandbox.ts";
import { announceIfUnreachable, appendLog, clearLog, utf8Length } from "./demo-kit.ts";

const EMPTY = "Nothing yet. Start with step 1.";

/** Behaviour of `<PlainWebSocketProbe>`: the browser WebSocket against `/socket.io/`. */
class PlainWebSocketProbe extends HTMLElement {
  private socket: WebSocket | undefined;

  private byRole<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    this.byRole("plain").addEventListener("click", () => void this.tryPlain());
    this.byRole("engine").addEventListener("click", () => this.tryEngineIo());
    this.byRole("close").addEventListener("click", () => this.socket?.close(1000, "done"));
    this.byRole("clear").addEventListener("click", () => clearLog(this.byRole("log"), EMPTY));
    for (const button of this.querySelectorAll<HTMLButtonElement>("[data-send]")) {
      button.addEventListener("click", () => this.sendRaw(button.dataset.send!));
    }
    void announceIfUnreachable(this.byRole("notice"));
  }

  disconnectedCallback() {
    this.socket?.close(1001, "page closed");
  }

  private setState(state: "idle" | "connecting" | "connected" | "error", text: string) {
    const badge = this.byRole("state");
    badge.dataset.state = state;
    badge.textContent = text;
  }

  private log(kind: Parameters<typeof appendLog>[1], text: string, label?: string) {
    appendLog(this.byRole("log"), kind, text, label);
  }

  /** Step 1: exactly what someone would try first. */
  private async tryPlain() {
    this.socket?.close(1000);
    const url = sandboxUrl("/socket.io/", "ws");
    this.log("event", `new WebSocket("${url}")`, "• call");
    this.setState("connecting", "connecting…");
    const closed = await new Promise<CloseEvent | "open">((resolve) => {
      const socket = new WebSocket(url);
      this.socket = socket;
      socket.addEventListener("open", () => {
        resolve("open");
        socket.close(1000, "step 1 done");
      });
      socket.addEventListener("error", () =>
        this.log("error", "error (the browser gives no details)"),
      );
      socket.addEventListener("close", (event) => resolve(event));
    });
    if (closed === "open") {
      // Not what a Socket.IO server does; say so rather than pretend.
      this.log("event", "open: this server accepted a WebSocket without EIO/transport");
      this.setState("idle", "not connected");
      return;
    }
    this.log(
      "event",
      `close: code ${closed.code}${closed.reason ? `, reason “${closed.reason}”` : ""}, ${closed.wasClean ? "clean" : "not clean"}`,
    );
    this.setState("error", "refused");
    if (!(await announceIfUnreachable(this.byRole("notice"), true))) return;
    try {
      const response = await fetch(sandboxUrl("/socket.io/"), { cache: "no-store" });
      const body = (await response.text()).trim().slice(0, 200);
      this.log("received", `GET /socket.io/ → HTTP ${response.status} ${body}`, "↓ http");
    } catch {
      this.log("error", "GET /socket.io/ failed");
    }
    this.byRole("explain-refused").hidden = false;
  }

  /** Step 2: the right query string, and then the protocol by hand. */
  private tryEngineIo() {
    this.socket?.close(1000);
    const url = sandboxUrl("/socket.io/?EIO=4&transport=websocket", "ws");
    this.log("event", `new WebSocket("${url}")`, "• call");
    this.setState("connecting", "connecting…");
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.log("event", "open: handshake done (101 Switching Protocols)");
      this.setState("connected", "open");
      this.byRole("speak").hidden = false;
    });
    socket.addEventListener("message", (event: MessageEvent<unknown>) => {
      const data = typeof event.data === "string" ? event.data : "<binary message>";
      this.log("wire-in", data, "↓ frame");
      if (data.startsWith("0{")) this.byRole("explain-engine").hidden = false;
      if (data === "2" && socket.readyState === WebSocket.OPEN) {
        socket.send("3");
        this.log("wire-out", "3 (pong, sent by the demo for you)", "↑ frame");
      }
    });
    socket.addEventListener("error", () =>
      this.log("error", "error (the browser gives no details)"),
    );
    socket.addEventListener("close", (event) => {
      this.log(
        "event",
        `close: code ${event.code}${event.reason ? `, reason “${event.reason}”` : ""}, ${event.wasClean ? "clean" : "not clean"}`,
      );
      if (socket !== this.socket) return;
      this.setState("idle", "closed");
      this.byRole("speak").hidden = true;
      void announceIfUnreachable(this.byRole("notice"), true);
    });
  }

  private sendRaw(text: string) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(text);
    this.log("wire-out", `${text}  (${utf8Length(text)} B)`, "↑ frame");
  }
}

customElements.define("plain-websocket-probe", PlainWebSocketProbe);
