import type { Socket } from "socket.io-client";
import { announceIfUnreachable, describeError, openSocketIo } from "./demo-kit.ts";

interface ChatAck {
  ok: boolean;
  call?: string;
  rooms?: string[];
  error?: { code: string; message: string };
}

interface Client {
  name: string;
  namespace: string;
  panel: HTMLElement;
  socket?: Socket;
}

/** Behaviour of `<RoomsPlayground>`: one socket per panel, rooms, and broadcasts chosen by the server. */
class RoomsPlayground extends HTMLElement {
  private clients: Client[] = [];
  private hitTimer: number | undefined;

  private byRole<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    this.clients = [...this.querySelectorAll<HTMLElement>(".panel")].map((panel) => ({
      name: panel.dataset.client!,
      namespace: panel.dataset.namespace!,
      panel,
    }));
    this.byRole("connect").addEventListener("click", () => void this.connectAll());
    this.byRole("form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
    this.byRole("scope").addEventListener("change", () => this.syncRoomField());
    for (const client of this.clients) {
      for (const toggle of client.panel.querySelectorAll<HTMLButtonElement>(".room-toggle")) {
        toggle.addEventListener("click", () => void this.toggleRoom(client, toggle));
      }
    }
    this.syncRoomField();
    void announceIfUnreachable(this.byRole("notice"));
  }

  disconnectedCallback() {
    for (const client of this.clients) client.socket?.disconnect();
  }

  private async connectAll() {
    this.byRole<HTMLButtonElement>("connect").disabled = true;
    await Promise.all(this.clients.map((client) => this.connect(client)));
  }

  private async connect(client: Client) {
    if (client.socket) {
      client.socket.connect();
      return;
    }
    this.setState(client, "connecting", "connecting");
    const socket = await openSocketIo(client.namespace, {
      auth: client.namespace === "/chat" ? { name: client.name } : {},
      reconnectionAttempts: 3,
    });
    client.socket = socket;
    socket.on("connect", () => {
      this.setState(client, "connected", "online");
      for (const toggle of client.panel.querySelectorAll<HTMLButtonElement>(".room-toggle")) {
        toggle.disabled = false;
        toggle.setAttribute("aria-pressed", "false"); // a new connection starts in no room
      }
      this.byRole<HTMLButtonElement>("send").disabled = false;
      if (this.clients.every((c) => c.socket?.connected)) this.dataset.ready = "true";
    });
    socket.on("connect_error", (error) => {
      this.setState(client, "error", "error");
      this.note(client, "connect_error", describeError(error));
      void announceIfUnreachable(this.byRole("notice"), true);
      this.byRole<HTMLButtonElement>("connect").disabled = false;
    });
    socket.on("disconnect", (reason) => {
      delete this.dataset.ready;
      this.setState(client, "idle", "offline");
      this.note(client, "disconnect", reason);
      for (const toggle of client.panel.querySelectorAll<HTMLButtonElement>(".room-toggle")) {
        toggle.disabled = true;
      }
      this.byRole<HTMLButtonElement>("connect").disabled = false;
    });
    socket.on("broadcast", (message: { from?: unknown; text?: unknown; call?: unknown }) => {
      this.receive(client, String(message.from), String(message.text), String(message.call ?? ""));
    });
    socket.on("presence", (message: { event?: unknown; name?: unknown; room?: unknown }) => {
      this.note(
        client,
        "presence",
        `${String(message.name)} ${message.event === "join" ? "joined" : "left"} ${String(message.room)}`,
      );
    });
    socket.on("sandbox-error", (error: { message?: unknown }) => {
      this.note(client, "sandbox-error", String(error.message));
    });
  }

  private async toggleRoom(client: Client, toggle: HTMLButtonElement) {
    const socket = client.socket;
    if (!socket?.connected) return;
    const room = toggle.dataset.room!;
    const joining = toggle.getAttribute("aria-pressed") !== "true";
    toggle.disabled = true;
    try {
      const ack: ChatAck = await socket.timeout(3000).emitWithAck(joining ? "join" : "leave", room);
      if (!ack.ok) {
        this.note(client, "error", ack.error?.message ?? "refused");
        return;
      }
      const rooms = new Set(ack.rooms ?? []);
      for (const other of client.panel.querySelectorAll<HTMLButtonElement>(".room-toggle")) {
        other.setAttribute("aria-pressed", String(rooms.has(other.dataset.room!)));
      }
    } catch (error) {
      this.note(client, "error", describeError(error));
    } finally {
      toggle.disabled = !socket.connected;
    }
  }

  private async send() {
    const sender = this.clients.find(
      (c) => c.name === this.byRole<HTMLSelectElement>("sender").value,
    );
    const socket = sender?.socket;
    if (!sender || !socket?.connected) return;
    const scope = this.byRole<HTMLSelectElement>("scope").value;
    const room = this.byRole<HTMLSelectElement>("room").value;
    const text = this.byRole<HTMLInputElement>("text").value;
    for (const client of this.clients) delete client.panel.dataset.hit;
    const request =
      scope === "union"
        ? { scope, rooms: ["red", "blue"], text }
        : scope === "all" || scope === "others"
          ? { scope, text }
          : { scope, room, text };
    const call = this.byRole("call");
    try {
      const ack: ChatAck = await socket.timeout(3000).emitWithAck("broadcast", request);
      call.replaceChildren();
      if (ack.ok) {
        const code = document.createElement("code");
        code.textContent = ack.call ?? "";
        call.append(`${sender.name}'s emit made the server run `, code);
      } else {
        call.textContent = `Refused: ${ack.error?.message ?? "unknown error"}`;
      }
    } catch (error) {
      call.textContent = describeError(error);
    }
  }

  private receive(client: Client, from: string, text: string, call: string) {
    client.panel.dataset.hit = "true";
    window.clearTimeout(this.hitTimer);
    this.hitTimer = window.setTimeout(() => {
      for (const c of this.clients) delete c.panel.dataset.hit;
    }, 2500);
    const entry = this.entry(client, "broadcast");
    const who = document.createElement("span");
    who.className = "from";
    who.textContent = `${from}: `;
    const body = document.createElement("span");
    body.className = "body";
    body.textContent = text; // text from the network: never HTML
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = call;
    entry.append(who, body, meta);
  }

  private note(client: Client, kind: string, text: string) {
    const entry = this.entry(client, kind);
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${kind}: ${text}`;
    entry.append(meta);
  }

  private entry(client: Client, kind: string): HTMLLIElement {
    const inbox = client.panel.querySelector<HTMLElement>("[data-role=inbox]")!;
    inbox.querySelector(".empty")?.remove();
    const entry = document.createElement("li");
    entry.dataset.kind = kind;
    inbox.append(entry);
    inbox.scrollTop = inbox.scrollHeight;
    return entry;
  }

  private setState(client: Client, state: string, text: string) {
    const badge = client.panel.querySelector<HTMLElement>("[data-role=state]")!;
    badge.dataset.state = state;
    badge.textContent = text;
  }

  private syncRoomField() {
    const scope = this.byRole<HTMLSelectElement>("scope").value;
    this.byRole<HTMLSelectElement>("room").disabled = !["room", "room-others", "except"].includes(
      scope,
    );
  }
}

customElements.define("rooms-playground", RoomsPlayground);
