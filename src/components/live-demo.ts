import { sandboxReachable, sandboxUrl } from "./sandbox.ts";

const STATES = ["connecting", "open", "closing", "closed"] as const;
const utf8 = new TextEncoder();

type Direction = "sent" | "received" | "event";

/** Behaviour of `<LiveDemo>`: one browser `WebSocket`, its state, and a log of every message. */
class LiveDemoElement extends HTMLElement {
  private socket: WebSocket | undefined;
  private opened = false;

  private element<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    const endpoint = this.dataset.endpoint!;
    this.element("url").textContent = sandboxUrl(endpoint, "ws");
    this.element("connect").addEventListener("click", () => this.connect());
    this.element("disconnect").addEventListener("click", () => this.disconnect());
    this.element("clear").addEventListener("click", () => this.clearLog());
    this.querySelector("[data-role=send-form]")?.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    // Say up front when there is no sandbox server (e.g. the site is on a static host).
    void sandboxReachable().then((reachable) => {
      if (!reachable) this.showUnreachable();
    });
  }

  disconnectedCallback() {
    this.socket?.close(1001, "page closed");
  }

  private connect() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    this.opened = false;
    // Record the connection byte for byte (sandbox capture) and tell any live
    // <FrameVisualizer> on the page which capture to follow.
    const endpoint = this.dataset.endpoint!;
    const capture = newCaptureId();
    this.dataset.capture = capture;
    document.dispatchEvent(
      new CustomEvent("wirelab:capture", { detail: { id: capture, endpoint } }),
    );
    const url = new URL(sandboxUrl(endpoint, "ws"));
    url.searchParams.set("capture", capture);
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.log("event", "connecting…");
    this.render();
    socket.addEventListener("open", () => {
      this.opened = true;
      // A notice from an earlier failure stays up until a connection works, so it never flickers.
      this.hideNotice();
      this.log(
        "event",
        `open: handshake done${socket.protocol ? `, protocol ${socket.protocol}` : ""}`,
      );
      this.render();
    });
    socket.addEventListener("message", (event: MessageEvent<string | ArrayBuffer>) => {
      const { data } = event;
      if (typeof data === "string") this.log("received", data, utf8.encode(data).length, "text");
      else this.log("received", hexPreview(new Uint8Array(data)), data.byteLength, "binary");
    });
    socket.addEventListener("close", (event) => {
      this.log(
        "event",
        `close: code ${event.code}${event.reason ? `, reason “${event.reason}”` : ""}, ${event.wasClean ? "clean" : "not clean"}`,
      );
      if (socket === this.socket) this.render();
      if (!this.opened) void this.explainFailure();
    });
    socket.addEventListener("error", () =>
      this.log("event", "error (the browser gives no details)"),
    );
  }

  private disconnect() {
    const code = Number(this.element<HTMLSelectElement>("close-code").value);
    const reason = this.element<HTMLInputElement>("close-reason").value;
    this.socket?.close(code, reason);
    this.render();
  }

  private send() {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const text = this.element<HTMLInputElement>("message").value;
    const bytes = utf8.encode(text);
    if (this.element<HTMLInputElement>("binary").checked) {
      socket.send(bytes);
      this.log("sent", hexPreview(bytes), bytes.length, "binary");
    } else {
      socket.send(text);
      this.log("sent", text, bytes.length, "text");
    }
  }

  /** A connection that never opened: tell the student whether the sandbox is down or the endpoint refused. */
  private async explainFailure() {
    if (await sandboxReachable(true)) {
      this.showNotice(
        `<strong>The connection was refused.</strong> The sandbox server is running, but it did not accept a WebSocket on <code>${escapeHtml(this.dataset.endpoint!)}</code>.`,
      );
    } else {
      this.showUnreachable();
    }
  }

  private showUnreachable() {
    this.showNotice(
      `<strong>The sandbox server can't be reached.</strong> Live demos need it running on your machine: in the WireLab folder run <code>npm install &amp;&amp; npm start</code>, then open <a href="http://127.0.0.1:4321/">http://127.0.0.1:4321/</a>.`,
    );
  }

  private showNotice(html: string) {
    const notice = this.element("notice");
    notice.innerHTML = html;
    notice.hidden = false;
  }

  private hideNotice() {
    this.element("notice").hidden = true;
  }

  private render() {
    const state = this.socket?.readyState ?? WebSocket.CLOSED;
    const badge = this.element("state");
    badge.dataset.state = STATES[state];
    this.element("state-text").textContent = `${STATES[state].toUpperCase()} (readyState ${state})`;
    this.element<HTMLButtonElement>("connect").disabled = state <= WebSocket.OPEN;
    this.element<HTMLButtonElement>("disconnect").disabled = state !== WebSocket.OPEN;
    const send = this.querySelector<HTMLButtonElement>("[data-role=send]");
    if (send) send.disabled = state !== WebSocket.OPEN;
  }

  private log(direction: Direction, data: string, size?: number, kind?: "text" | "binary") {
    const log = this.element("log");
    log.querySelector(".empty")?.remove();
    const entry = document.createElement("li");
    entry.dataset.direction = direction;
    const arrow = { sent: "↑ sent", received: "↓ received", event: "• event" }[direction];
    const cells = [
      ["direction", arrow],
      ["time", clock(new Date())],
      ["size", size === undefined ? "" : `${size} B${kind === "binary" ? " bin" : ""}`],
      ["data", data],
    ];
    for (const [name, text] of cells) {
      const cell = document.createElement("span");
      cell.className = name;
      cell.textContent = text; // text, never HTML: messages come from the network
      entry.append(cell);
    }
    log.append(entry);
    log.scrollTop = log.scrollHeight;
  }

  private clearLog() {
    this.element("log").replaceChildren();
  }
}

/** A capture id as the sandbox accepts them: 8–64 of [A-Za-z0-9_-]. */
function newCaptureId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function clock(date: Date): string {
  return `${date.toTimeString().slice(0, 8)}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

function hexPreview(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, 32), (byte) => byte.toString(16).padStart(2, "0"));
  return shown.join(" ") + (bytes.length > 32 ? " …" : "");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

customElements.define("live-demo", LiveDemoElement);
