/**
 * What the Socket.IO demos share: loading socket.io-client on demand, the
 * "sandbox unreachable" notice, a log that renders network text as text, and
 * the Engine.IO wire form of a packet.
 */
import type * as SocketIoClientModule from "socket.io-client";
import type { ManagerOptions, Socket, SocketOptions } from "socket.io-client";
import { sandboxReachable, sandboxUrl } from "../sandbox.ts";

type SocketIoClient = typeof SocketIoClientModule;
let client: Promise<SocketIoClient> | undefined;

/**
 * socket.io-client, imported the first time a demo needs it: the library is
 * not part of the JavaScript a lesson page loads before any interaction.
 */
export function loadSocketIoClient(): Promise<SocketIoClient> {
  client ??= import("socket.io-client");
  return client;
}

/**
 * Opens a Socket.IO connection to a namespace of the sandbox server. Every
 * call gets its own Manager (`forceNew`), i.e. its own Engine.IO connection,
 * so several demo clients on one page behave like several browsers.
 */
export async function openSocketIo(
  namespace: string,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<Socket> {
  const { io } = await loadSocketIoClient();
  return io(sandboxUrl(namespace), { forceNew: true, ...options });
}

export const UNREACHABLE_HTML =
  '<strong>The sandbox server can\'t be reached.</strong> Live demos need it running on your machine: in the WireLab folder run <code>npm install &amp;&amp; npm start</code>, then open <a href="http://127.0.0.1:4321/">http://127.0.0.1:4321/</a>.';

/** Shows our own (static) notice HTML; never pass network text here. */
export function showNotice(notice: HTMLElement, html: string): void {
  notice.innerHTML = html;
  notice.hidden = false;
}

/** Probes the sandbox once per page; shows the unreachable notice when it is down. */
export async function announceIfUnreachable(notice: HTMLElement, retry = false): Promise<boolean> {
  const reachable = await sandboxReachable(retry);
  if (!reachable) showNotice(notice, UNREACHABLE_HTML);
  return reachable;
}

/** Kinds of log line; each has its own colour and arrow. */
export type LogKind = "sent" | "received" | "event" | "error" | "wire-out" | "wire-in";

const ARROWS: Record<LogKind, string> = {
  sent: "↑ emit",
  received: "↓ event",
  event: "• event",
  error: "✕ error",
  "wire-out": "↑ wire",
  "wire-in": "↓ wire",
};

/**
 * Appends one line to a demo log. Everything is set with `textContent`: text
 * that came from the network is never parsed as HTML.
 */
export function appendLog(
  log: HTMLElement,
  kind: LogKind,
  text: string,
  label: string = ARROWS[kind],
): HTMLLIElement {
  log.querySelector(".empty")?.remove();
  const entry = document.createElement("li");
  entry.dataset.kind = kind;
  for (const [name, value] of [
    ["time", clock(new Date())],
    ["kind", label],
    ["text", text],
  ]) {
    const cell = document.createElement("span");
    cell.className = name;
    cell.textContent = value;
    entry.append(cell);
  }
  log.append(entry);
  log.scrollTop = log.scrollHeight;
  return entry;
}

export function clearLog(log: HTMLElement, emptyText: string): void {
  const empty = document.createElement("li");
  empty.className = "empty";
  empty.textContent = emptyText;
  log.replaceChildren(empty);
}

export function clock(date: Date): string {
  return `${date.toTimeString().slice(0, 8)}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/** Engine.IO v4 packet type digits. */
export const ENGINE_IO_TYPES: Record<string, string> = {
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
};

export interface EnginePacket {
  type: string;
  data?: unknown;
}

/**
 * How an Engine.IO packet looks on the wire: the type digit followed by its
 * text (`42["chat","hi"]`), or, for a binary attachment, its bytes (sent as
 * they are in a WebSocket frame, base64 with a `b` prefix when polling).
 */
export function engineWireText(packet: EnginePacket): { text: string; binary: boolean } {
  const digit = ENGINE_IO_TYPES[packet.type] ?? "?";
  const { data } = packet;
  if (data === undefined) return { text: digit, binary: false };
  if (typeof data === "string") return { text: digit + data, binary: false };
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : undefined;
  return {
    text: bytes ? `<binary ${bytes.length} B> ${hexPreview(bytes)}` : "<binary>",
    binary: true,
  };
}

export function hexPreview(bytes: Uint8Array, max = 24): string {
  const shown = Array.from(bytes.subarray(0, max), (byte) => byte.toString(16).padStart(2, "0"));
  return shown.join(" ") + (bytes.length > max ? " …" : "");
}

/** Bytes of a string once encoded as UTF-8. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Bytes of one RFC 6455 frame carrying `payload` bytes: 2 header bytes, plus
 * 2 or 8 for the extended length, plus the 4-byte mask key when the client sends.
 */
export function webSocketFrameBytes(payload: number, fromClient: boolean): number {
  const extended = payload > 0xffff ? 8 : payload > 125 ? 2 : 0;
  return 2 + extended + (fromClient ? 4 : 0) + payload;
}

/** A short description of an error for a log line (text only). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const data = (error as Error & { data?: unknown }).data;
    return data === undefined ? error.message : `${error.message} ${JSON.stringify(data)}`;
  }
  return String(error);
}
