/**
 * Behaviour of `<HandshakeInspector>`: tap a capture, open a WebSocket
 * recorded under that capture id, print its handshake, check the accept.
 */
import { acceptKeySteps } from "../protocol/accept-key.ts";
import { sandboxReachable, sandboxUrl } from "./sandbox.ts";

/** How long to wait for the recorded handshake before giving up. */
const HANDSHAKE_TIMEOUT_MS = 4000;

function captureId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `lesson-${Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("")}`;
}

function header(head: string, name: string): string | undefined {
  const line = head
    .split("\r\n")
    .find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Raw HTTP head → readable text: CRLF shown as line breaks, the blank line that ends it kept. */
function printable(head: string): string {
  return head.replace(/\r\n/g, "\n").trimEnd();
}

interface HandshakeEntry {
  kind: "handshake";
  request: string;
  response: string;
}

class HandshakeInspectorElement extends HTMLElement {
  private running = false;

  private element<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    this.element("status").textContent = "Press the button: nothing is sent until you do.";
    this.element("run").addEventListener("click", () => void this.run());
  }

  private async run() {
    if (this.running) return;
    this.running = true;
    const button = this.element<HTMLButtonElement>("run");
    button.disabled = true;
    this.element("notice").hidden = true;
    this.setStatus("Connecting…");
    try {
      const entry = await this.capture();
      await this.show(entry);
    } catch (error) {
      const reachable = await sandboxReachable(true);
      const notice = this.element("notice");
      notice.hidden = false;
      notice.textContent = reachable
        ? `No handshake was recorded: ${(error as Error).message}`
        : "The sandbox server can't be reached. In the WireLab folder run npm install && npm start, then open http://127.0.0.1:4321/.";
      this.setStatus("");
    } finally {
      this.running = false;
      button.disabled = false;
    }
  }

  /** Opens the tap, then the recorded connection; resolves with the handshake entry. */
  private capture(): Promise<HandshakeEntry> {
    const id = captureId();
    const endpoint = this.dataset.endpoint!;
    const offer = this.element<HTMLInputElement>("offer").checked;
    const protocols = offer ? this.dataset.subprotocols!.split(",") : [];
    return new Promise((resolve, reject) => {
      const tap = new WebSocket(sandboxUrl(`/ws/tap?capture=${id}`, "ws"));
      let socket: WebSocket | undefined;
      const finish = (error?: Error, entry?: HandshakeEntry) => {
        clearTimeout(timer);
        tap.close();
        if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, "captured");
        if (entry) resolve(entry);
        else reject(error);
      };
      const timer = setTimeout(
        () => finish(new Error("the sandbox did not answer in time.")),
        HANDSHAKE_TIMEOUT_MS,
      );
      tap.addEventListener("error", () => finish(new Error("the capture tap refused.")));
      tap.addEventListener("open", () => {
        const url = new URL(sandboxUrl(endpoint, "ws"));
        url.searchParams.set("capture", id);
        socket = new WebSocket(url, protocols);
      });
      tap.addEventListener("message", (event: MessageEvent<string>) => {
        const entry = JSON.parse(event.data) as { kind: string };
        if (entry.kind === "handshake") finish(undefined, entry as HandshakeEntry);
      });
    });
  }

  private async show(entry: HandshakeEntry) {
    this.element("output").hidden = false;
    this.element("request").textContent = printable(entry.request);
    this.element("response").textContent = printable(entry.response);
    const key = header(entry.request, "Sec-WebSocket-Key") ?? "";
    const sent = header(entry.response, "Sec-WebSocket-Accept") ?? "(none)";
    const expected = (await acceptKeySteps(key)).accept;
    const check = this.element("check");
    const ok = expected === sent;
    check.dataset.ok = String(ok);
    check.replaceChildren();
    const verdict = document.createElement("strong");
    verdict.textContent = ok ? "✓ Accept matches." : "✗ Accept does not match.";
    const protocol = header(entry.response, "Sec-WebSocket-Protocol");
    check.append(
      verdict,
      ` base64(SHA-1("${key}" + GUID)) = ${expected}; the server sent ${sent}.` +
        (protocol ? ` The server chose the subprotocol “${protocol}”.` : ""),
    );
    const status = entry.response.split("\r\n")[0];
    this.setStatus(`Captured: ${status}. The connection was then closed (code 1000).`);
  }

  private setStatus(text: string) {
    this.element("status").textContent = text;
  }
}

customElements.define("handshake-inspector", HandshakeInspectorElement);
