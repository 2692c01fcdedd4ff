/**
 * The frame visualizer itself, loaded on demand by `<frame-visualizer>`:
 * a two-lane timeline (virtualized), and for the selected item its steps —
 * the parser's trace for frames, the accept computation for the handshake,
 * Engine.IO packets for polling exchanges — with the RFC 6455 §5.2 bit
 * diagram, the hex bytes and the field explanations highlighted together.
 */
import {
  bytesToHex,
  closeCodeInfo,
  describeCloseCode,
  frameFieldsByName,
  inflateMessage,
  WEBSOCKET_GUID,
  type FrameFieldName,
} from "../../protocol/index.ts";
import {
  entryProblem,
  formatCaptureFile,
  readCaptureFile,
  CAPTURE_ID,
  CAPTURE_NAME,
  type CaptureEntry,
  type CaptureFile,
  type CaptureIndexEntry,
} from "./capture-format.ts";
import { h } from "./dom.ts";
import type { CaptureEventDetail } from "./frame-visualizer-element.ts";
import { sampleCapture, SAMPLE_CAPTURE_NAME } from "./sample-capture.ts";
import { Session, type FrameItem, type MessageRecord, type TimelineItem } from "./session.ts";
import {
  bitRows,
  closeReason,
  fieldByteRange,
  describeMessage,
  formatPosition,
  hexBytes,
  isFrameLike,
  itemFrame,
  itemSteps,
  itemSummary,
  messagePreview,
  move,
  parsePosition,
  placementsOf,
  printable,
  visibleRange,
  type Cursor,
  type VisualStep,
} from "./view-model.ts";

const ROW_HEIGHT = 34;
/** Capture entries parsed before the first paint; the rest in slices of SLICE. */
const FIRST_SLICE = 2000;
const SLICE = 5000;
const RECORD_SEPARATOR = String.fromCharCode(0x1e);
/** Bytes of a frame drawn in the hex view. */
const HEX_BYTES_SHOWN = 256;
/** Bytes in the mask XOR table. */
const XOR_BYTES_SHOWN = 32;

type Source =
  | { kind: "shipped"; name: string }
  | { kind: "file"; name: string }
  | { kind: "live"; id: string; endpoint: string };

let instances = 0;

const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

export function mountVisualizer(host: HTMLElement, pendingLive?: CaptureEventDetail) {
  const app = new VisualizerApp(host);
  if (pendingLive) app.followLive(pendingLive);
  else void app.start();
  return app;
}

class VisualizerApp {
  private readonly host: HTMLElement;
  private readonly uid = `fv${++instances}`;
  private readonly syncUrl: boolean;
  private source: Source | undefined;
  private capture: CaptureFile = { ...sampleCapture(), entries: [] };
  private session = new Session();
  private timeline: TimelineItem[] = [];
  private cursor: Cursor = { item: 0, step: 0 };
  private steps = new WeakMap<TimelineItem, VisualStep[]>();
  private renderedItem: TimelineItem | undefined;
  private tap: WebSocket | undefined;
  private followLatest = true;
  private frameScheduled = false;
  private hover: string[] = [];
  private loadToken = 0;
  private requestToken = 0;
  private urlTimer: ReturnType<typeof setTimeout> | undefined;
  private loading = false;
  /** Byte range of every field of the frame shown. */
  private fieldRanges = new Map<string, [number, number]>();

  // Elements.
  private readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly where: HTMLElement;
  private readonly stepCard: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly titleText: HTMLElement;
  private readonly description: HTMLElement;
  private readonly picker: HTMLSelectElement | undefined;
  private readonly modeBadge: HTMLElement;

  constructor(host: HTMLElement) {
    this.host = host;
    this.syncUrl = host.dataset.syncUrl !== undefined;
    const id = (name: string) => `${this.uid}-${name}`;
    const library = host.dataset.library !== undefined;

    this.picker = library
      ? h(
          "select",
          { id: id("picker"), "data-role": "picker" },
          h("option", { value: SAMPLE_CAPTURE_NAME }, "RFC 6455 examples (built in)"),
        )
      : undefined;
    const fileInput = h("input", {
      type: "file",
      accept: "application/json,.json",
      class: "visually-hidden",
      id: id("import"),
      "data-role": "import",
    });
    this.titleText = h("span", { class: "fv-source-title" });
    this.modeBadge = h("span", { class: "fv-mode", "data-mode": "replay" }, "replay");
    this.description = h("p", { class: "fv-description" });
    this.notice = h("p", { class: "fv-notice", role: "status", hidden: true });
    this.spacer = h("div", { class: "fv-spacer", role: "none" });
    this.list = h(
      "div",
      {
        class: "fv-list",
        role: "listbox",
        tabindex: 0,
        "aria-label": "Timeline: the handshake, then the frames of the client and the server",
        "data-role": "timeline",
      },
      this.spacer,
    );
    this.counts = h("p", { class: "fv-counts" });
    this.where = h("span", { class: "fv-where", "data-role": "where" });
    this.stepCard = h("div", { class: "fv-step", "data-role": "step" });
    this.detail = h("div", { class: "fv-item", "data-role": "item" });
    this.announcer = h("div", {
      class: "visually-hidden",
      "aria-live": "polite",
      "data-role": "announce",
    });

    const button = (role: string, label: string, icon: string, keys: string) => {
      const element = h("button", {
        type: "button",
        class: "button fv-nav",
        "data-role": role,
        "aria-label": label,
        title: `${label} (${keys.replace("Arrow", "").replace("Shift+", "Shift + ")})`,
        "aria-keyshortcuts": keys,
      });
      // A constant icon, never data: safe as markup.
      element.innerHTML = `<svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"><path d="${icon}"/></svg>`;
      return element;
    };

    this.root = h(
      "div",
      { class: "fv-app" },
      h(
        "div",
        { class: "fv-toolbar" },
        this.picker &&
          h(
            "label",
            { class: "fv-picker", for: id("picker") },
            h("span", {}, "Capture"),
            this.picker,
          ),
        !this.picker && h("span", { class: "fv-source" }, this.titleText),
        this.modeBadge,
        h("span", { class: "fv-toolbar-gap" }),
        fileInput,
        h(
          "label",
          { class: "button small", for: id("import"), "data-role": "import-label" },
          "Import…",
        ),
        h("button", { type: "button", class: "button small", "data-role": "export" }, "Export"),
      ),
      this.description,
      this.notice,
      h(
        "div",
        { class: "fv-main" },
        h(
          "div",
          { class: "fv-timeline" },
          h(
            "div",
            { class: "fv-lanes", "aria-hidden": "true" },
            h("span", {}, "#"),
            h("span", { class: "client" }, "client → server"),
            h("span", { class: "server" }, "server → client"),
          ),
          this.list,
          this.counts,
        ),
        h(
          "div",
          { class: "fv-detail" },
          h(
            "div",
            { class: "fv-stepbar", role: "group", "aria-label": "Step through the capture" },
            button("first", "First item", "M6 5v14M18 6l-8 6 8 6", "Home"),
            button(
              "previous-item",
              "Previous frame",
              "M12 6l-6 6 6 6M19 6l-6 6 6 6",
              "Shift+ArrowLeft",
            ),
            button("previous", "Previous step", "M15 6l-6 6 6 6", "ArrowLeft"),
            button("next", "Next step", "M9 6l6 6-6 6", "ArrowRight"),
            button("next-item", "Next frame", "M5 6l6 6-6 6M12 6l6 6-6 6", "Shift+ArrowRight"),
            button("last", "Last item", "M18 5v14M6 6l8 6-8 6", "End"),
            this.where,
          ),
          this.stepCard,
          this.detail,
        ),
      ),
      h(
        "p",
        { class: "fv-keys" },
        "Keys: ",
        h("kbd", {}, "←"),
        " ",
        h("kbd", {}, "→"),
        " step · ",
        h("kbd", {}, "Shift"),
        "+",
        h("kbd", {}, "←"),
        " ",
        h("kbd", {}, "→"),
        " frame · ",
        h("kbd", {}, "Home"),
        " ",
        h("kbd", {}, "End"),
        " · hover or focus a field to find it in the diagram, the bytes and the text.",
      ),
      this.announcer,
    );

    const mount = host.querySelector<HTMLElement>("[data-role=mount]") ?? host;
    host.querySelector<HTMLElement>("[data-role=fallback]")?.setAttribute("hidden", "");
    mount.append(this.root);
    host.dataset.ready = "";

    // Events.
    this.root.addEventListener("keydown", (event) => this.onKey(event));
    this.root.querySelectorAll<HTMLButtonElement>(".fv-nav").forEach((nav) =>
      nav.addEventListener("click", () => {
        const role = nav.dataset.role!;
        this.go(role === "first" ? "home" : role === "last" ? "end" : (role as "next"));
      }),
    );
    this.list.addEventListener("scroll", () => this.schedule());
    this.list.addEventListener("click", (event) => {
      const row = (event.target as Element).closest<HTMLElement>("[data-index]");
      if (row) this.select({ item: Number(row.dataset.index), step: 0 }, true);
    });
    fileInput.addEventListener("change", () => void this.importFile(fileInput));
    this.root
      .querySelector("[data-role=export]")!
      .addEventListener("click", () => this.exportFile());
    this.picker?.addEventListener("change", () => void this.loadShipped(this.picker!.value, 0, 0));
    this.root.addEventListener("pointerover", (event) => this.onHover(event));
    this.root.addEventListener("pointerleave", () => this.setHover([]));
    this.root.addEventListener("focusin", (event) => this.onHover(event));
    new ResizeObserver(() => this.schedule()).observe(this.list);
    if (this.syncUrl) window.addEventListener("hashchange", () => void this.fromHash());
  }

  /** First load: the URL's capture (standalone page), else the one named by the component. */
  async start(): Promise<void> {
    if (this.picker) void this.loadIndex();
    if (this.syncUrl && (await this.fromHash())) return;
    await this.loadShipped(this.host.dataset.capture || SAMPLE_CAPTURE_NAME, 0, 0);
  }

  private async fromHash(): Promise<boolean> {
    const position = parsePosition(location.hash);
    if (!position.capture) return false;
    if (this.source?.kind === "shipped" && this.source.name === position.capture) {
      this.select({ item: position.frame, step: position.step }, true);
      return true;
    }
    await this.loadShipped(position.capture, position.frame, position.step);
    return true;
  }

  private async loadIndex(): Promise<void> {
    try {
      const response = await fetch("/captures/index.json");
      if (!response.ok) return;
      const data: unknown = await response.json();
      const list = (Array.isArray(data) ? data : (data as { captures?: unknown }).captures) as
        unknown[] | undefined;
      if (!Array.isArray(list)) return;
      for (const raw of list) {
        const entry = raw as Partial<CaptureIndexEntry> & { name?: string; file?: string };
        const name = entry.id ?? entry.name ?? entry.file?.replace(/\.json$/, "");
        if (!name || !CAPTURE_NAME.test(name) || name === SAMPLE_CAPTURE_NAME) continue;
        this.picker!.append(h("option", { value: name }, entry.title ?? name));
      }
      if (this.source?.kind === "shipped") this.picker!.value = this.source.name;
    } catch {
      // No index (static host without captures): the built-in sample is still there.
    }
  }

  /** Replays `/captures/<name>.json` (or the built-in sample). */
  async loadShipped(name: string, item: number, step: number): Promise<void> {
    // A later request (another capture, an import, a live connection) wins over this one.
    const request = ++this.requestToken;
    this.closeTap();
    if (name === SAMPLE_CAPTURE_NAME) {
      this.show({ kind: "shipped", name }, sampleCapture(), { item, step });
      return;
    }
    let capture: CaptureFile;
    try {
      const response = await fetch(`/captures/${encodeURIComponent(name)}.json`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const read = readCaptureFile(await response.text());
      if (!read.ok) throw new Error(read.error);
      capture = read.capture;
    } catch (error) {
      if (request !== this.requestToken) return;
      this.show({ kind: "shipped", name: SAMPLE_CAPTURE_NAME }, sampleCapture(), {
        item: 0,
        step: 0,
      });
      this.setNotice(
        `The recorded capture “${name}” could not be loaded (${(error as Error).message}); showing the built-in RFC 6455 examples instead.`,
        "warn",
      );
      return;
    }
    if (request === this.requestToken)
      this.show({ kind: "shipped", name }, capture, { item, step });
  }

  private show(source: Source, capture: CaptureFile, cursor: Cursor): void {
    const token = ++this.loadToken;
    this.source = source;
    this.capture = capture;
    this.session = new Session();
    this.steps = new WeakMap();
    this.renderedItem = undefined;
    this.setNotice(undefined);
    this.titleText.textContent = capture.title;
    this.description.textContent = capture.description ?? "";
    this.modeBadge.textContent =
      source.kind === "live" ? "live" : source.kind === "file" ? "imported" : "replay";
    this.modeBadge.dataset.mode = source.kind;
    if (this.picker && source.kind === "shipped") this.picker.value = source.name;
    // Large captures are parsed in slices: the first slice paints at once, the
    // rest follows between frames so the page stays responsive.
    const entries = capture.entries;
    const first = Math.min(entries.length, FIRST_SLICE);
    for (let i = 0; i < first; i++) this.session.push(entries[i]);
    this.loading = first < entries.length;
    this.refreshTimeline();
    this.select(cursor, true);
    if (this.loading) void this.loadRest(token, first, cursor);
  }

  private async loadRest(token: number, from: number, cursor: Cursor): Promise<void> {
    const entries = this.capture.entries;
    for (let i = from; i < entries.length;) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (token !== this.loadToken) return;
      const end = Math.min(entries.length, i + SLICE);
      for (; i < end; i++) this.session.push(entries[i]);
      this.loading = i < entries.length;
      this.refreshTimeline();
      this.schedule();
    }
    // The URL may point past the first slice: go there now that it is parsed.
    if (cursor.item >= this.cursor.item && cursor.item !== this.cursor.item)
      this.select(cursor, true);
    else this.renderStep(false);
  }

  // -------------------------------------------------------------------------
  // Live mode

  followLive(detail: CaptureEventDetail): void {
    if (!CAPTURE_ID.test(detail.id)) return;
    this.requestToken++;
    this.closeTap();
    const capture: CaptureFile = {
      format: "wirelab-capture",
      version: 1,
      title: `Your connection to ${detail.endpoint}`,
      description: "Live: the bytes of the demo's connection, as they cross the wire.",
      entries: [],
    };
    this.show({ kind: "live", id: detail.id, endpoint: detail.endpoint }, capture, {
      item: 0,
      step: 0,
    });
    this.followLatest = true;
    this.setNotice(
      `Following your connection to ${detail.endpoint}: frames appear as they cross the wire.`,
      "live",
    );
    const url = new URL(`/ws/tap?capture=${encodeURIComponent(detail.id)}`, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const tap = new WebSocket(url);
    this.tap = tap;
    const session = this.session;
    tap.addEventListener("message", (event: MessageEvent<unknown>) => {
      if (tap !== this.tap || session !== this.session || typeof event.data !== "string") return;
      let entry: unknown;
      try {
        entry = JSON.parse(event.data);
      } catch {
        return;
      }
      if (entryProblem(entry)) return;
      this.capture.entries.push(entry as CaptureEntry);
      this.session.push(entry as CaptureEntry);
      if ((entry as CaptureEntry).kind === "end")
        this.setNotice(
          `The connection to ${detail.endpoint} has closed. Step back through it, or export it.`,
          "info",
        );
      this.liveChanged();
    });
    tap.addEventListener("close", (event) => {
      if (tap !== this.tap) return;
      if (this.capture.entries.length === 0)
        this.setNotice(
          `The capture tap closed (${event.code}${event.reason ? ` ${event.reason}` : ""}) before any bytes arrived: is the sandbox server running and capturing?`,
          "warn",
        );
    });
  }

  private liveChanged(): void {
    const atEnd = this.followLatest || this.cursor.item >= this.timeline.length - 1;
    this.refreshTimeline();
    if (atEnd) {
      const last = Math.max(this.timeline.length - 1, 0);
      // Stay on the newest frame, at its first step, so the student sees it arrive.
      if (last !== this.cursor.item || this.timeline[last] !== this.renderedItem)
        this.select({ item: last, step: 0 }, true, false);
    } else {
      this.schedule();
    }
  }

  private closeTap(): void {
    const tap = this.tap;
    this.tap = undefined;
    if (tap && tap.readyState <= WebSocket.OPEN) tap.close(1000, "visualizer switched capture");
  }

  // -------------------------------------------------------------------------
  // Import / export

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    const read = readCaptureFile(await file.text());
    if (!read.ok) {
      this.setNotice(`Could not import ${file.name}: ${read.error}`, "warn");
      return;
    }
    this.requestToken++;
    this.closeTap();
    this.show({ kind: "file", name: file.name }, read.capture, { item: 0, step: 0 });
    if (this.syncUrl) history.replaceState(null, "", location.pathname + location.search);
  }

  private exportFile(): void {
    const text = formatCaptureFile(this.capture);
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const name =
      this.source?.kind === "shipped"
        ? this.source.name
        : this.source?.kind === "live"
          ? `live-${this.source.id.slice(0, 8)}`
          : "capture";
    const link = h("a", { href: url, download: `wirelab-${name}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // -------------------------------------------------------------------------
  // Navigation

  private stepsOf(index: number): VisualStep[] {
    const item = this.timeline[index];
    if (!item) return [];
    let steps = this.steps.get(item);
    if (!steps) {
      steps = itemSteps(this.session, item);
      this.steps.set(item, steps);
    }
    return steps;
  }

  private go(how: Parameters<typeof move>[1]): void {
    const next = move(
      this.cursor,
      how,
      this.timeline.length,
      (index) => this.stepsOf(index).length,
    );
    this.followLatest = false;
    this.select(next, true);
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (target.closest("input, select, textarea")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const inList = target === this.list;
    let how: Parameters<typeof move>[1] | undefined;
    switch (event.key) {
      case "ArrowRight":
        how = event.shiftKey ? "next-item" : "next";
        break;
      case "ArrowLeft":
        how = event.shiftKey ? "previous-item" : "previous";
        break;
      case "ArrowDown":
        if (inList) how = "next-item";
        break;
      case "ArrowUp":
        if (inList) how = "previous-item";
        break;
      case "Home":
        how = "home";
        break;
      case "End":
        how = "end";
        break;
    }
    if (!how) return;
    event.preventDefault();
    this.go(how);
  }

  private select(cursor: Cursor, scroll: boolean, announce = true): void {
    const count = this.timeline.length;
    const item = Math.min(Math.max(cursor.item, 0), Math.max(count - 1, 0));
    const steps = this.stepsOf(item);
    const step = Math.min(Math.max(cursor.step, 0), Math.max(steps.length - 1, 0));
    this.cursor = { item, step };
    if (this.timeline[item] !== this.renderedItem) this.renderItem();
    this.renderStep(announce);
    if (scroll) this.scrollToItem(item);
    this.schedule();
    if (this.syncUrl && this.source?.kind === "shipped") this.scheduleUrl();
  }

  /** Writes the position to the URL once stepping pauses (browsers throttle history updates). */
  private scheduleUrl(): void {
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => {
      if (this.source?.kind !== "shipped") return;
      const { item, step } = this.cursor;
      const hash = formatPosition({ capture: this.source.name, frame: item, step }, location.hash);
      if (hash !== location.hash) history.replaceState(null, "", hash);
    }, 150);
  }

  private scrollToItem(index: number): void {
    const top = index * ROW_HEIGHT;
    const view = this.list.clientHeight || ROW_HEIGHT * 8;
    if (top < this.list.scrollTop) this.list.scrollTop = top;
    else if (top + ROW_HEIGHT > this.list.scrollTop + view)
      this.list.scrollTop = top + ROW_HEIGHT - view;
  }

  // -------------------------------------------------------------------------
  // Rendering: timeline

  private refreshTimeline(): void {
    this.timeline = this.session.timeline();
    this.spacer.style.height = `${this.timeline.length * ROW_HEIGHT}px`;
    const count = (value: number) => value.toLocaleString("en");
    const { frameCount } = this.session;
    const messages = this.session.messages.length;
    this.counts.textContent = `${count(this.timeline.length)} items · ${count(frameCount)} frames · ${count(messages)} messages${this.session.truncated ? " · truncated" : ""}${this.loading ? " · reading the capture…" : ""}`;
  }

  private schedule(): void {
    if (this.frameScheduled) return;
    this.frameScheduled = true;
    requestAnimationFrame(() => {
      this.frameScheduled = false;
      this.renderRows();
    });
  }

  private renderRows(): void {
    const { start, end } = visibleRange(
      this.list.scrollTop,
      this.list.clientHeight || 300,
      ROW_HEIGHT,
      this.timeline.length,
    );
    const rows: HTMLElement[] = [];
    const firstTime = this.timeline.find((item) => item.time !== undefined)?.time;
    for (let index = start; index < end; index++) rows.push(this.row(index, firstTime));
    this.spacer.replaceChildren(...rows);
    // An empty listbox is only valid while busy (live mode waiting for bytes).
    if (rows.length === 0) this.list.setAttribute("aria-busy", "true");
    else this.list.removeAttribute("aria-busy");
    const active = this.cursor.item >= start && this.cursor.item < end;
    if (active)
      this.list.setAttribute("aria-activedescendant", `${this.uid}-row-${this.cursor.item}`);
    else this.list.removeAttribute("aria-activedescendant");
  }

  private row(index: number, firstTime: number | undefined): HTMLElement {
    const item = this.timeline[index];
    const direction = "direction" in item ? item.direction : "both";
    const selected = index === this.cursor.item;
    const time =
      item.time !== undefined && firstTime !== undefined
        ? `+${Math.round(item.time - firstTime)} ms`
        : "";
    const arrow = direction === "client" ? "→ " : direction === "server" ? "← " : "";
    const kind = item.kind === "frame" ? `frame ${frameKind(item)}` : item.kind;
    const label = `${itemSummary(item)}`;
    const cell = h(
      "span",
      { class: `fv-cell ${direction}` },
      h("span", { class: "fv-arrow", "aria-hidden": "true" }, arrow),
      h(
        "span",
        { class: "fv-summary" },
        direction !== "both" &&
          h(
            "span",
            { class: "visually-hidden" },
            direction === "client" ? "client to server: " : "server to client: ",
          ),
        label,
      ),
    );
    const description = `${direction === "client" ? "client to server: " : direction === "server" ? "server to client: " : ""}${label}`;
    return h(
      "div",
      {
        class: "fv-row",
        role: "option",
        id: `${this.uid}-row-${index}`,
        "aria-selected": selected ? "true" : "false",
        "aria-posinset": index + 1,
        "aria-setsize": this.timeline.length,
        "data-index": index,
        title: description,
        "data-kind": kind,
        "data-direction": direction,
        style: `top:${index * ROW_HEIGHT}px`,
      },
      h("span", { class: "fv-index" }, index + 1),
      cell,
      h("span", { class: "fv-time" }, time),
    );
  }

  // -------------------------------------------------------------------------
  // Rendering: the selected item

  /** A panel heading one level below the visualizer's title. */
  private heading(text: string): HTMLElement {
    const level = Math.min(Number(this.host.dataset.headingLevel ?? 3) + 1, 6);
    return h(`h${level}` as "h4", { class: "fv-panel-title" }, text);
  }

  private renderItem(): void {
    const item = this.timeline[this.cursor.item];
    this.renderedItem = item;
    this.hover = [];
    this.fieldRanges = new Map();
    if (!item) {
      this.detail.replaceChildren(
        h(
          "p",
          { class: "fv-empty" },
          this.source?.kind === "live"
            ? "Waiting for the first bytes of your connection…"
            : "This capture is empty.",
        ),
      );
      return;
    }
    if (item.kind === "handshake")
      this.detail.replaceChildren(...this.handshakeView(item.handshake));
    else if (isFrameLike(item)) this.detail.replaceChildren(...this.frameView(item));
    else if (item.kind === "http") this.detail.replaceChildren(...this.httpView(item));
    else this.detail.replaceChildren(h("p", { class: "fv-empty" }, itemSummary(item)));
  }

  private renderStep(announce: boolean): void {
    const steps = this.stepsOf(this.cursor.item);
    const step = steps[this.cursor.step];
    const item = this.timeline[this.cursor.item];
    this.where.textContent = item
      ? `Item ${this.cursor.item + 1} of ${this.timeline.length.toLocaleString("en")} · step ${this.cursor.step + 1} of ${steps.length}`
      : "Nothing to show yet";
    if (!step) {
      this.stepCard.replaceChildren();
      this.highlight();
      return;
    }
    this.stepCard.dataset.kind = step.kind;
    this.stepCard.replaceChildren(
      h(
        "p",
        { class: "fv-step-head" },
        h("strong", { "data-role": "step-label" }, step.label),
        step.value !== undefined && h("code", { "data-role": "step-value" }, step.value),
      ),
      h("p", { class: "fv-step-text", "data-role": "step-text" }, step.text),
      step.rfc ? h("p", { class: "fv-rfc" }, step.rfc) : "",
    );
    this.highlight();
    if (announce)
      this.announcer.textContent = `${step.label}${step.value !== undefined ? `: ${step.value}` : ""}. ${step.text}`;
  }

  /** Marks the current step's target and bytes, and the hovered fields, everywhere they appear. */
  private highlight(): void {
    const step = this.stepsOf(this.cursor.item)[this.cursor.step];
    const [from, to] = step?.bytes ?? [-1, -1];
    const hovered = this.hover;
    const hoverRanges = hovered.flatMap((field) => {
      const range = this.fieldRanges.get(field);
      return range ? [range] : [];
    });
    for (const element of this.detail.querySelectorAll<HTMLElement>(
      "[data-field], [data-hex], [data-part], [data-payload-byte]",
    )) {
      const field = element.dataset.field ?? element.dataset.part;
      const isHex = element.dataset.hex !== undefined;
      const byte = Number(element.dataset.byte);
      const payloadByte =
        element.dataset.payloadByte === undefined ? undefined : Number(element.dataset.payloadByte);
      let current: boolean;
      let hover: boolean;
      if (isHex) {
        current = step !== undefined && step.kind !== "need-more" && byte >= from && byte < to;
        hover = hoverRanges.some(([start, end]) => byte >= start && byte < end);
      } else if (
        payloadByte !== undefined &&
        step?.kind === "byte" &&
        step.payloadByte !== undefined
      ) {
        current = payloadByte === step.payloadByte;
        hover = field !== undefined && hovered.includes(field);
      } else {
        current =
          step !== undefined &&
          step.kind !== "byte" &&
          field !== undefined &&
          field === step.target;
        if (step?.kind === "byte" && step.payloadByte === undefined && field === "payload")
          current = true;
        if (payloadByte !== undefined && field === undefined) current = false;
        hover = field !== undefined && hovered.includes(field);
      }
      element.toggleAttribute("data-current", current);
      element.toggleAttribute("data-hover", hover);
    }
    for (const marker of this.detail.querySelectorAll<HTMLElement>("[data-boundary]")) {
      marker.toggleAttribute(
        "data-current",
        step?.kind === "need-more" && Number(marker.dataset.boundary) === step.boundary,
      );
    }
    const current = this.detail.querySelector<HTMLElement>(
      "[data-scroll-into] [data-current], [data-scroll-into][data-current]",
    );
    const row = current?.closest<HTMLElement>("[data-scroll-into]");
    const list = row?.closest<HTMLElement>(".fv-fields, .fv-http, .fv-packets");
    if (row && list && list.scrollHeight > list.clientHeight) {
      const top = row.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top + row.offsetHeight > list.scrollTop + list.clientHeight)
        list.scrollTo({ top: top - 8, behavior: reducedMotion() ? "auto" : "smooth" });
    }
  }

  private onHover(event: Event): void {
    const element = (event.target as Element).closest<HTMLElement>(
      "[data-field], [data-part], [data-field-bytes]",
    );
    let fields: string[] = [];
    if (element && this.detail.contains(element)) {
      const field = element.dataset.field ?? element.dataset.part;
      if (field) fields = [field];
      else fields = (element.dataset.fieldBytes ?? "").split(" ").filter(Boolean);
    }
    this.setHover(fields);
  }

  private setHover(fields: string[]): void {
    if (fields.join() === this.hover.join()) return;
    this.hover = fields;
    this.highlight();
  }

  private setNotice(text: string | undefined, tone: "warn" | "info" | "live" = "info"): void {
    this.notice.hidden = text === undefined;
    this.notice.textContent = text ?? "";
    this.notice.dataset.tone = tone;
  }

  // --- frame ---------------------------------------------------------------

  private frameView(item: Extract<TimelineItem, { kind: "frame" | "error" | "pending" }>): Node[] {
    const frame = itemFrame(item);
    const offset = item.kind === "pending" ? item.offset : (frame?.offset ?? 0);
    const bytes = this.session.bytesOf(
      item.connection,
      item.direction,
      offset,
      item.kind === "frame"
        ? offset + item.frame.byteLength
        : Math.min(
            this.session.streamLength(item.connection, item.direction),
            offset + HEX_BYTES_SHOWN + 14,
          ),
    );
    const nodes: Node[] = [];
    const from = item.direction === "client" ? "client → server" : "server → client";
    const badges: (string | false)[] = [from];
    if (item.kind === "frame") {
      badges.push(
        item.frame.opcodeName,
        `${item.frame.byteLength} bytes`,
        item.frame.masked ? "masked" : "unmasked",
      );
      if (item.chunkCount > 1) badges.push(`arrived in ${item.chunkCount} TCP chunks`);
      if (item.interleaved) badges.push("control frame between fragments");
      if (item.frame.rsv1) badges.push("compressed");
    } else if (item.kind === "error") badges.push(`error → close ${item.error.closeCode}`);
    else badges.push(`incomplete: ${item.bufferedBytes} bytes so far`);
    nodes.push(
      h(
        "ul",
        { class: "fv-badges", "aria-label": "About this frame" },
        ...badges.filter(Boolean).map((badge) => h("li", {}, badge as string)),
      ),
    );

    if (frame) {
      nodes.push(this.diagram(frame));
      nodes.push(this.hexView(bytes, item));
      nodes.push(this.fieldList());
      if (frame.masked && frame.maskingKey && frame.payload && frame.payload.length > 0)
        nodes.push(this.xorTable(frame.wirePayload!, frame.maskingKey, frame.payload));
    } else {
      nodes.push(this.hexView(bytes, item));
    }
    if (item.kind === "frame" && item.message) nodes.push(this.messageView(item, item.message));
    else if (item.kind === "frame" && !item.frame.fin && item.frame.opcode < 8)
      nodes.push(
        h(
          "p",
          { class: "fv-note" },
          "FIN = 0: the message goes on in continuation frames; it is reassembled when the frame with FIN = 1 arrives.",
        ),
      );
    if (item.kind === "error")
      nodes.push(
        h(
          "p",
          { class: "fv-error" },
          `${item.error.code}: ${item.error.message} The parser stops here; the connection is failed with close code ${item.error.closeCode}.`,
        ),
      );
    return nodes;
  }

  private diagram(frame: NonNullable<ReturnType<typeof itemFrame>>): HTMLElement {
    const rows = bitRows(placementsOf(frame));
    const header = frame.header;
    const bitValue = (bit: number): number | undefined => {
      const byte = bit >> 3;
      if (byte < header.length) return (header[byte] >> (7 - (bit & 7))) & 1;
      return undefined;
    };
    const scale = h("div", { class: "fv-bitscale", "aria-hidden": "true" });
    for (let bit = 0; bit < 32; bit++)
      scale.append(
        h("span", { "data-tens": bit % 10 === 0 ? String(bit / 10) : undefined }, bit % 10),
      );
    const diagram = h(
      "div",
      {
        class: "fv-diagram",
        role: "group",
        "aria-label": "Frame layout, 32 bits per row (RFC 6455 §5.2)",
      },
      scale,
    );
    for (const row of rows) {
      const rowElement = h("div", { class: "fv-bitrow" });
      for (const segment of row.segments) {
        let value = "";
        if (segment.field === "payload") {
          if (segment.moreBytes !== undefined)
            value = `… ${segment.moreBytes.toLocaleString("en")} more bytes`;
          else if (frame.payload && segment.payloadByte !== undefined) {
            const byte = frame.payload[segment.payloadByte];
            value = `${byte.toString(16).padStart(2, "0")} ${printable(byte)}`;
          }
        } else if ((frameFieldsByName[segment.field].bitWidth ?? 64) <= 8) {
          let bits = "";
          for (let bit = segment.frameBit; bit < segment.frameBit + segment.width; bit++)
            bits += bitValue(bit) ?? "?";
          value = bits;
        } else {
          const first = segment.frameBit >> 3;
          const shown = header.subarray(first, first + Math.ceil(segment.width / 8));
          value = shown.length ? bytesToHex(shown) : "?";
        }
        const info = frameFieldsByName[segment.field];
        rowElement.append(
          h(
            "span",
            {
              class: "fv-seg",
              "data-field": segment.field,
              "data-payload-byte": segment.payloadByte,
              "data-width": segment.width,
              style: `grid-column:${segment.startBit + 1} / span ${segment.width}`,
              title: `${info.label}: ${info.explanation}`,
            },
            h(
              "span",
              { class: "fv-seg-label" },
              segment.payloadByte !== undefined
                ? `byte ${segment.payloadByte}`
                : shortLabel(segment.field, segment.width),
            ),
            h("span", { class: "fv-seg-value" }, value),
          ),
        );
      }
      diagram.append(rowElement);
    }
    return h(
      "section",
      { class: "fv-panel", "aria-label": "Bit diagram" },
      this.heading("Bits"),
      h("div", { class: "fv-diagram-scroll" }, diagram),
    );
  }

  private hexView(
    bytes: Uint8Array,
    item: Extract<TimelineItem, { kind: "frame" | "error" | "pending" }>,
  ): HTMLElement {
    const frame = itemFrame(item);
    const headerLength = frame?.header.length ?? 0;
    const placements = frame ? placementsOf(frame) : [];
    for (const placement of placements) {
      const [start, end] = fieldByteRange(placement);
      this.fieldRanges.set(placement.name, [
        start,
        placement.name === "payload" ? Math.max(end, bytes.length) : end,
      ]);
    }
    const fieldsOfByte = (index: number): string =>
      placements
        .filter(
          (placement) =>
            placement.bitOffset < (index + 1) * 8 &&
            placement.bitOffset + placement.bitWidth > index * 8,
        )
        .map((placement) => placement.name)
        .join(" ") || (index >= headerLength ? "payload" : "");
    const boundaries = new Set(
      this.stepsOf(this.cursor.item)
        .filter((step) => step.kind === "need-more")
        .map((step) => step.boundary!),
    );
    const grid = h("div", {
      class: "fv-hex",
      role: "group",
      "aria-label": "Frame bytes in hexadecimal",
    });
    const shown = Math.min(bytes.length, HEX_BYTES_SHOWN);
    for (let index = 0; index < shown; index++) {
      if (boundaries.has(index))
        grid.append(
          h(
            "span",
            { class: "fv-boundary", "data-boundary": index, title: "A TCP chunk ended here" },
            "┆",
          ),
        );
      grid.append(
        h(
          "span",
          {
            class: `fv-byte${index < headerLength ? " header" : ""}`,
            "data-byte": index,
            "data-hex": "",
            "data-field-bytes": fieldsOfByte(index) || undefined,
          },
          hexBytes(bytes.subarray(index, index + 1))[0],
        ),
      );
    }
    if (boundaries.has(shown))
      grid.append(
        h(
          "span",
          { class: "fv-boundary", "data-boundary": shown, title: "The bytes so far end here" },
          "┆",
        ),
      );
    const more = bytes.length - shown;
    return h(
      "section",
      { class: "fv-panel", "aria-label": "Bytes" },
      this.heading("Bytes on the wire"),
      grid,
      more > 0 && h("p", { class: "fv-note" }, `… ${more.toLocaleString("en")} more bytes`),
    );
  }

  private fieldList(): HTMLElement {
    const steps = this.stepsOf(this.cursor.item);
    const list = h("ul", { class: "fv-fields" });
    steps.forEach((step, index) => {
      if (step.kind !== "field") return;
      list.append(
        h(
          "li",
          { "data-scroll-into": "" },
          h(
            "button",
            { type: "button", class: "fv-field", "data-field": step.target, "data-step": index },
            h("span", { class: "fv-field-name" }, step.label),
            h("code", { class: "fv-field-value" }, step.value ?? ""),
            h("span", { class: "fv-field-text" }, step.text),
            h("span", { class: "fv-rfc" }, step.rfc ?? ""),
          ),
        ),
      );
    });
    list.addEventListener("click", (event) => {
      const button = (event.target as Element).closest<HTMLElement>("[data-step]");
      if (button) this.select({ item: this.cursor.item, step: Number(button.dataset.step) }, false);
    });
    return h(
      "section",
      { class: "fv-panel", "aria-label": "Fields" },
      this.heading("Fields, as the parser read them"),
      list,
    );
  }

  private xorTable(wire: Uint8Array, key: Uint8Array, plain: Uint8Array): HTMLElement {
    const count = Math.min(plain.length, XOR_BYTES_SHOWN);
    const body = h("tbody");
    for (let i = 0; i < count; i++) {
      body.append(
        h(
          "tr",
          { "data-payload-byte": i },
          h("td", {}, i),
          h("td", {}, hex2(wire[i])),
          h("td", {}, `key[${i % 4}] = ${hex2(key[i % 4])}`),
          h("td", {}, hex2(plain[i])),
          h("td", {}, printable(plain[i])),
        ),
      );
    }
    return h(
      "section",
      { class: "fv-panel", "aria-label": "Unmasking" },
      this.heading("Unmasking: byte i XOR key[i mod 4]"),
      h(
        "div",
        { class: "fv-table-wrap" },
        h(
          "table",
          { class: "fv-xor" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "i"),
              h("th", { scope: "col" }, "on the wire"),
              h("th", { scope: "col" }, "⊕ key byte"),
              h("th", { scope: "col" }, "= payload"),
              h("th", { scope: "col" }, "char"),
            ),
          ),
          body,
        ),
      ),
      plain.length > count &&
        h(
          "p",
          { class: "fv-note" },
          `… and ${plain.length - count} more bytes, unmasked the same way.`,
        ),
    );
  }

  private messageView(item: FrameItem, record: MessageRecord): HTMLElement {
    const { message } = record;
    const section = h(
      "section",
      { class: "fv-panel fv-message", "aria-label": "Message" },
      this.heading("Message"),
    );
    section.append(h("p", {}, describeMessage(record)));
    if (message.frameIndices.length > 1 || record.interleaved.length > 0) {
      const number = (frameIndex: number) => {
        const frameItem = this.session.frameItem(item.connection, item.direction, frameIndex);
        return frameItem ? this.timeline.indexOf(frameItem) + 1 : 0;
      };
      section.append(
        h(
          "p",
          { class: "fv-fragments" },
          `Fragments: ${message.frameIndices.map((index, position) => `#${number(index)} (${position === 0 ? "first" : position === message.frameIndices.length - 1 ? "last" : "continuation"})`).join(", ")}`,
          record.interleaved.length > 0 &&
            ` · control frames in between: ${record.interleaved.map((index) => `#${number(index)}`).join(", ")} (allowed: control frames may interleave with fragments, RFC 6455 §5.4)`,
        ),
      );
    }
    if (message.type === "close") {
      if (message.closeCode !== undefined) {
        const info = closeCodeInfo(message.closeCode);
        section.append(
          h(
            "p",
            {},
            h("strong", {}, describeCloseCode(message.closeCode)),
            info ? ` — ${info.meaning}` : "",
            closeReason(message) ? ` Reason: “${closeReason(message)}”.` : " No reason given.",
          ),
        );
      } else
        section.append(
          h(
            "p",
            {},
            "No status code: the peer reports 1005 (no status received) — a code that never appears on the wire.",
          ),
        );
    } else if (!message.compressed) {
      section.append(
        h(
          "pre",
          { class: "fv-payload" },
          message.type === "text"
            ? messagePreview(record, 4000)
            : bytesToHex(message.data.subarray(0, 512)) + (message.data.length > 512 ? " …" : ""),
        ),
      );
    }
    if (message.compressed) {
      const out = h(
        "p",
        { class: "fv-inflate" },
        `Compressed: ${message.data.length} bytes on the wire → inflating…`,
      );
      section.append(out);
      void this.inflate(record).then((result) => {
        if (typeof result === "string") out.textContent = result;
        else {
          out.replaceChildren(
            `Compressed: ${message.data.length} bytes on the wire → inflated: ${result.length} bytes (${Math.round((message.data.length / Math.max(result.length, 1)) * 100)}%)`,
          );
          section.append(
            h(
              "pre",
              { class: "fv-payload" },
              message.type === "text"
                ? new TextDecoder().decode(result.subarray(0, 4000))
                : bytesToHex(result.subarray(0, 512)),
            ),
          );
        }
      });
    }
    if (record.socketIo)
      section.append(
        layers(
          record.socketIo.description,
          item.frame.opcodeName === "binary"
            ? "WebSocket binary message"
            : "WebSocket text message",
        ),
      );
    return section;
  }

  /**
   * Inflates a compressed message. Alone first; if it refers to earlier
   * messages (context takeover), by inflating every compressed message of
   * its direction before it as one DEFLATE stream.
   */
  private async inflate(record: MessageRecord): Promise<Uint8Array | string> {
    try {
      return await inflateMessage(record.message.data);
    } catch {
      // Fall through: needs the earlier messages' window.
    }
    const earlier = this.session.messages.filter(
      (other) =>
        other.direction === record.direction &&
        other.connection === record.connection &&
        other.message.compressed,
    );
    const index = earlier.indexOf(record);
    const tail = new Uint8Array([0, 0, 0xff, 0xff]);
    const join = (records: MessageRecord[]) => {
      const parts = records.flatMap((other, i) =>
        i < records.length - 1 ? [other.message.data, tail] : [other.message.data],
      );
      const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length;
      }
      return out;
    };
    try {
      const before =
        index > 0 ? await inflateMessage(join(earlier.slice(0, index))) : new Uint8Array(0);
      const all = await inflateMessage(join(earlier.slice(0, index + 1)));
      return all.subarray(before.length);
    } catch {
      return `Compressed: ${record.message.data.length} bytes; could not be inflated from this capture.`;
    }
  }

  // --- handshake -----------------------------------------------------------

  private handshakeView(handshake: NonNullable<Session["handshake"]>): Node[] {
    const lines = (raw: string, kind: "request" | "response") => {
      const pre = h("pre", { class: "fv-http" });
      raw.split("\r\n").forEach((line, index) => {
        if (line === "" && index > 0) return;
        const name = line.split(":")[0].toLowerCase();
        const part =
          index === 0
            ? kind === "request"
              ? "request-line"
              : "status"
            : name === "upgrade" || name === "connection"
              ? "upgrade"
              : name === "sec-websocket-key"
                ? "key"
                : name === "sec-websocket-accept"
                  ? "accept"
                  : name === "sec-websocket-extensions"
                    ? "extensions"
                    : undefined;
        pre.append(
          h("span", { class: "fv-line", "data-part": part, "data-scroll-into": "" }, line),
          "\n",
        );
      });
      return pre;
    };
    const nodes: Node[] = [
      h(
        "section",
        { class: "fv-panel", "aria-label": "Request" },
        this.heading("Request (client → server)"),
        lines(handshake.rawRequest, "request"),
      ),
      h(
        "section",
        { class: "fv-panel", "aria-label": "Response" },
        this.heading("Response (server → client)"),
        lines(handshake.rawResponse, "response"),
      ),
    ];
    if (handshake.accept) {
      const match = handshake.acceptMatches;
      nodes.push(
        h(
          "section",
          { class: "fv-panel fv-accept", "aria-label": "Sec-WebSocket-Accept, step by step" },
          this.heading("Sec-WebSocket-Accept, step by step"),
          h(
            "ol",
            {},
            h(
              "li",
              { "data-part": "key" },
              h("span", { class: "fv-accept-label" }, "Your key"),
              h("code", {}, handshake.accept.key),
            ),
            h(
              "li",
              { "data-part": "concat" },
              h("span", { class: "fv-accept-label" }, "+ GUID"),
              h("code", {}, handshake.accept.key, h("mark", {}, WEBSOCKET_GUID)),
            ),
            h(
              "li",
              { "data-part": "sha1" },
              h("span", { class: "fv-accept-label" }, "SHA-1"),
              h("code", {}, handshake.accept.sha1Hex.replace(/(..)(?!$)/g, "$1 ")),
            ),
            h(
              "li",
              { "data-part": "base64" },
              h("span", { class: "fv-accept-label" }, "base64"),
              h("code", {}, handshake.accept.accept),
            ),
            h(
              "li",
              { "data-part": "accept", class: match ? "fv-ok" : "fv-bad" },
              h("span", { class: "fv-accept-label" }, "Server sent"),
              h("code", {}, handshake.acceptSent ?? "(nothing)"),
              h("span", { class: "fv-verdict" }, match ? "✓ matches" : "✗ does not match"),
            ),
          ),
        ),
      );
    }
    return nodes;
  }

  // --- polling -------------------------------------------------------------

  /** The body with each record separator (\\x1e) shown as a marked "RS". */
  private pollingBody(body: string): HTMLElement {
    const pre = h("pre", { class: "fv-payload" });
    if (body === "") pre.textContent = "(empty body)";
    body.split(RECORD_SEPARATOR).forEach((packet, index) => {
      if (index > 0)
        pre.append(h("span", { class: "fv-rs", title: "record separator \\x1e" }, "RS"));
      pre.append(packet);
    });
    return pre;
  }

  private httpView(item: Extract<TimelineItem, { kind: "http" }>): Node[] {
    const { entry } = item;
    const head = [
      entry.method,
      entry.url,
      entry.status !== undefined ? `→ ${entry.status}` : undefined,
    ]
      .filter(Boolean)
      .join(" ");
    const nodes: Node[] = [
      h(
        "section",
        { class: "fv-panel", "aria-label": "HTTP exchange" },
        h(
          "h4",
          {},
          item.direction === "client"
            ? "HTTP request body (client → server)"
            : "HTTP response body (server → client)",
        ),
        h("p", { "data-part": "http" }, h("code", {}, head || "long-polling")),
        this.pollingBody(item.body),
      ),
    ];
    if (item.packets.length > 0) {
      const list = h("ol", { class: "fv-packets" });
      item.packets.forEach((packet, index) =>
        list.append(
          h(
            "li",
            { "data-part": `packet-${index}`, "data-scroll-into": "" },
            layers(packet.description, "HTTP long-polling"),
          ),
        ),
      );
      nodes.push(
        h(
          "section",
          { class: "fv-panel", "aria-label": "Packets" },
          this.heading("Engine.IO packets in this body"),
          list,
        ),
      );
    }
    return nodes;
  }
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function frameKind(item: FrameItem): string {
  if (item.frame.opcode === 0) return "continuation";
  return item.frame.opcode >= 8 ? "control" : "data";
}

const SHORT_LABELS: Partial<Record<FrameFieldName, string>> = {
  fin: "FIN",
  rsv1: "R1",
  rsv2: "R2",
  rsv3: "R3",
  opcode: "opcode",
  mask: "M",
  payloadLength: "len",
};

function shortLabel(field: FrameFieldName, width: number): string {
  if (width <= 7) return SHORT_LABELS[field] ?? frameFieldsByName[field].label;
  return frameFieldsByName[field].label;
}

/** "Engine.IO message → Socket.IO EVENT → event chat, args [hi]" as a chain of layers. */
function layers(description: string, carrier: string): HTMLElement {
  const parts = description.split(" → ");
  const chain = h("ol", { class: "fv-layers", "aria-label": `Decoded layers: ${description}` });
  chain.append(h("li", { class: "fv-layer carrier" }, carrier));
  parts.forEach((part, index) =>
    chain.append(
      h("li", { class: `fv-layer ${index === parts.length - 1 ? "meaning" : ""}` }, part),
    ),
  );
  return chain;
}
