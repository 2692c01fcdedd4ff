import { sandboxUrl } from "../sandbox.ts";
import { announceIfUnreachable } from "./demo-kit.ts";

interface Person {
  name: string;
  panel: HTMLElement;
  socket?: WebSocket;
}

/** Behaviour of `<RawChatPanels>`: one browser WebSocket per panel on `/ws/chat`. */
class RawChatPanels extends HTMLElement {
  private people: Person[] = [];

  connectedCallback() {
    this.people = [...this.querySelectorAll<HTMLElement>(".panel")].map((panel) => ({
      name: panel.dataset.client!,
      panel,
    }));
    this.querySelector("[data-role=connect]")!.addEventListener("click", () => {
      for (const person of this.people) this.connect(person);
    });
    for (const person of this.people) {
      const field = (role: string) =>
        person.panel.querySelector<HTMLElement>(`[data-role=${role}]`)!;
      field("room").addEventListener("change", () => {
        if (person.socket && person.socket.readyState <= WebSocket.OPEN) this.connect(person);
      });
      field("form").addEventListener("submit", (event) => {
        event.preventDefault();
        const text = (field("text") as HTMLInputElement).value;
        if (person.socket?.readyState !== WebSocket.OPEN || !text) return;
        person.socket.send(text);
        this.show(person, `you: ${text}`, "sent as a text frame");
      });
    }
    void announceIfUnreachable(this.querySelector("[data-role=notice]")!);
  }

  disconnectedCallback() {
    for (const person of this.people) person.socket?.close(1001, "page closed");
  }

  private connect(person: Person) {
    person.socket?.close(1000, "changing room");
    const room = person.panel.querySelector<HTMLSelectElement>("[data-role=room]")!.value;
    const path = `/ws/chat?room=${encodeURIComponent(room)}&name=${encodeURIComponent(person.name)}`;
    const socket = new WebSocket(sandboxUrl(path, "ws"));
    person.socket = socket;
    this.setState(person, "connecting", "connecting");
    socket.addEventListener("open", () => {
      if (socket !== person.socket) return;
      this.setState(person, "connected", `open · ${room}`);
      person.panel.querySelector<HTMLButtonElement>("[data-role=send]")!.disabled = false;
    });
    socket.addEventListener("message", (event: MessageEvent<unknown>) => {
      if (typeof event.data !== "string") return;
      this.show(person, summarize(event.data), event.data);
    });
    socket.addEventListener("close", (event) => {
      if (socket !== person.socket) return;
      this.setState(person, "idle", `closed ${event.code}`);
      person.panel.querySelector<HTMLButtonElement>("[data-role=send]")!.disabled = true;
      if (event.code === 1006)
        void announceIfUnreachable(this.querySelector("[data-role=notice]")!, true);
    });
  }

  private show(person: Person, line: string, raw: string) {
    const inbox = person.panel.querySelector<HTMLElement>("[data-role=inbox]")!;
    inbox.querySelector(".empty")?.remove();
    const entry = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = line; // network text: never HTML
    const wire = document.createElement("span");
    wire.className = "raw";
    wire.textContent = raw;
    entry.append(text, wire);
    inbox.append(entry);
    inbox.scrollTop = inbox.scrollHeight;
  }

  private setState(person: Person, state: string, text: string) {
    const badge = person.panel.querySelector<HTMLElement>("[data-role=state]")!;
    badge.dataset.state = state;
    badge.textContent = text;
  }
}

/** One line for a `/ws/chat` JSON message (`welcome`, `join`, `leave`, `message`). */
function summarize(data: string): string {
  try {
    const message = JSON.parse(data) as Record<string, unknown>;
    switch (message.type) {
      case "message":
        return `${String(message.from)}: ${String(message.text)}`;
      case "welcome":
        return `welcome to ${String(message.room)} as ${String(message.name)}`;
      case "join":
        return `${String(message.name)} joined`;
      case "leave":
        return `${String(message.name)} left`;
      default:
        return data;
    }
  } catch {
    return data;
  }
}

customElements.define("raw-chat-panels", RawChatPanels);
