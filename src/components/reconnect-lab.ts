/** Behaviour of `<ReconnectLab>`: the backoff simulator and a live reconnecting client. */
import { backoffDelay, retrySchedule, type BackoffPolicy, type Jitter } from "./backoff.ts";
import { sandboxReachable, sandboxUrl } from "./sandbox.ts";

const SVG = "http://www.w3.org/2000/svg";
const HERD_CLIENTS = 20;
const HERD_RETRIES = 5;

class ReconnectLabElement extends HTMLElement {
  private socket: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private attempt = 0;

  private element<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  private get policy(): BackoffPolicy {
    const number = (role: string, fallback: number, min: number) => {
      const value = Number(this.element<HTMLInputElement>(role).value);
      return Number.isFinite(value) && value >= min ? value : fallback;
    };
    const baseMs = number("base", 500, 1);
    return {
      baseMs,
      maxMs: Math.max(baseMs, number("cap", 8000, 1)),
      jitter: this.element<HTMLSelectElement>("jitter").value as Jitter,
    };
  }

  connectedCallback() {
    for (const role of ["base", "cap", "jitter"]) {
      this.element(role).addEventListener("change", () => this.simulate());
    }
    const reroll = this.element<HTMLButtonElement>("reroll");
    reroll.hidden = false;
    reroll.addEventListener("click", () => this.simulate());
    this.element("start").addEventListener("click", () => this.start());
    this.element("stop").addEventListener("click", () => this.stop());
    this.element("drop").addEventListener("click", () => this.drop());
    this.simulate();
  }

  disconnectedCallback() {
    this.stop();
  }

  // ── The simulator ─────────────────────────────────────────────────────

  private simulate() {
    const policy = this.policy;
    const attempts = Number(this.dataset.attempts);
    const items = Array.from({ length: attempts }, (_, attempt) => {
      const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
      const delay = backoffDelay(attempt, policy);
      const item = document.createElement("li");
      const width = (ms: number) => `${Math.max(0.5, (ms / policy.maxMs) * 100).toFixed(1)}%`;
      item.innerHTML = `<span class="retry">retry ${attempt + 1}</span><span class="bar" aria-hidden="true"><span class="ceiling" style="width:${width(ceiling)}"></span><span class="delay" style="width:${width(delay)}"></span></span><span class="value">${policy.jitter === "full" ? `${delay} / ${ceiling}` : delay} ms</span>`;
      return item;
    });
    this.element("delays").replaceChildren(...items);
    this.drawHerd(policy);
  }

  /** Dots: when each of 20 clients makes its retries 1…5 (all lost the connection at t = 0). */
  private drawHerd(policy: BackoffPolicy) {
    const times = retrySchedule(HERD_CLIENTS, HERD_RETRIES, policy);
    const end = Math.max(1, ...times.flat());
    // Drawn at the box's own width so the labels stay readable on a phone.
    const width = Math.max(300, Math.min(720, this.element("herd").clientWidth || 600));
    const left = 70;
    const rowHeight = 26;
    const height = HERD_RETRIES * rowHeight + 30;
    const x = (ms: number) => left + (ms / end) * (width - left - 20);

    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("role", "img");
    const add = (name: string, attributes: Record<string, string | number>, text?: string) => {
      const node = document.createElementNS(SVG, name);
      for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
      if (text !== undefined) node.textContent = text;
      svg.append(node);
      return node;
    };
    const summary: string[] = [];
    times.forEach((row, retry) => {
      const y = 18 + retry * rowHeight;
      add("line", { class: "gridline", x1: left, x2: width - 20, y1: y, y2: y });
      add("text", { class: "axis", x: 4, y: y + 4 }, `retry ${retry + 1}`);
      for (const time of row) add("circle", { class: "dot", cx: x(time), cy: y, r: 5 });
      const low = Math.min(...row);
      const high = Math.max(...row);
      summary.push(
        low === high
          ? `retry ${retry + 1}: all ${HERD_CLIENTS} clients at ${seconds(low)}`
          : `retry ${retry + 1}: spread from ${seconds(low)} to ${seconds(high)}`,
      );
    });
    add("text", { class: "axis", x: left, y: height - 4 }, "0 s");
    add(
      "text",
      { class: "axis", x: width - 20, y: height - 4, "text-anchor": "end" },
      seconds(end),
    );
    const label = `${HERD_CLIENTS} clients retrying after a server restart, ${policy.jitter === "full" ? "with full jitter" : "without jitter"}. ${summary.join("; ")}.`;
    svg.setAttribute("aria-label", label);
    this.element("herd").replaceChildren(svg);
    this.element("herd-summary").textContent =
      policy.jitter === "full"
        ? "With full jitter the clients spread out: the restarted server sees a trickle, not a wall."
        : "Without jitter every client retries at the same instant: a thundering herd hits the server at each step.";
  }

  // ── The live client ───────────────────────────────────────────────────

  private get target(): string {
    return this.querySelector<HTMLInputElement>("input[type=radio]:checked")!.value;
  }

  private start() {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.element("log").replaceChildren();
    this.element("notice").hidden = true;
    this.render();
    this.connect();
  }

  private connect() {
    this.timer = undefined;
    const target = this.target;
    this.setStatus(`Connecting to ${target}…`);
    this.log(`connect to ${target}`);
    const socket = new WebSocket(sandboxUrl(target, "ws"));
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.log(
        this.attempt === 0
          ? "open"
          : `open after ${this.attempt} retries: backoff reset to retry 1`,
      );
      this.attempt = 0;
      this.setStatus(`Connected to ${target}. Drop the connection to see it come back.`);
      this.render();
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      this.render();
      if (!this.running) return;
      const delay = backoffDelay(this.attempt, this.policy);
      this.attempt += 1;
      this.log(`close ${event.code} → retry ${this.attempt} in ${delay} ms`);
      this.setStatus(`Disconnected. Retry ${this.attempt} in ${delay} ms…`);
      this.timer = setTimeout(() => this.connect(), delay);
      if (event.code === 1006 && this.attempt === 1) void this.checkSandbox();
    });
  }

  private drop() {
    this.socket?.close(4000, "simulated drop");
  }

  private stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, "stopped");
    if (this.isConnected) this.setStatus("Stopped.");
    this.render();
  }

  private async checkSandbox() {
    if (await sandboxReachable(true)) return;
    const notice = this.element("notice");
    notice.hidden = false;
    notice.textContent =
      "The sandbox server can't be reached, so every attempt fails. In the WireLab folder run npm install && npm start.";
  }

  private render() {
    const open = this.socket?.readyState === WebSocket.OPEN;
    this.element<HTMLButtonElement>("start").disabled = this.running;
    this.element<HTMLButtonElement>("stop").disabled = !this.running;
    this.element<HTMLButtonElement>("drop").disabled = !open;
  }

  private log(text: string) {
    const log = this.element("log");
    const item = document.createElement("li");
    const time = new Date();
    item.textContent = `${time.toTimeString().slice(0, 8)}.${String(time.getMilliseconds()).padStart(3, "0")}  ${text}`;
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  private setStatus(text: string) {
    this.element("status").textContent = text;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

customElements.define("reconnect-lab", ReconnectLabElement);
