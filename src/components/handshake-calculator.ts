/** Behaviour of `<HandshakeCalculator>`: recompute every step as the key changes. */
import { acceptKeySteps, isValidWebSocketKey } from "../protocol/accept-key.ts";
import { base64Encode } from "../protocol/base64.ts";

class HandshakeCalculatorElement extends HTMLElement {
  /** Guards against an older (slower) digest overwriting a newer one. */
  private generation = 0;

  private element<T extends HTMLElement = HTMLElement>(role: string): T {
    return this.querySelector<T>(`[data-role="${role}"]`)!;
  }

  connectedCallback() {
    const input = this.element<HTMLInputElement>("key");
    input.addEventListener("input", () => void this.update());
    const random = this.element<HTMLButtonElement>("random");
    const rfc = this.element<HTMLButtonElement>("rfc");
    random.hidden = false;
    rfc.hidden = false;
    random.addEventListener("click", () => {
      // What a browser does for every connection: 16 fresh random bytes, base64.
      input.value = base64Encode(crypto.getRandomValues(new Uint8Array(16)));
      void this.update();
    });
    rfc.addEventListener("click", () => {
      input.value = this.dataset.rfcKey!;
      void this.update();
    });
    void this.update();
  }

  private async update() {
    const generation = ++this.generation;
    const key = this.element<HTMLInputElement>("key").value;
    const steps = await acceptKeySteps(key);
    if (generation !== this.generation) return;
    this.element("concat-key").textContent = steps.key;
    this.element("sha1").textContent = steps.sha1Hex;
    this.element("accept").textContent = steps.accept;
    this.element("accept-header").textContent = steps.accept;
    const validity = this.element("validity");
    const valid = isValidWebSocketKey(key);
    validity.dataset.valid = String(valid);
    validity.textContent = valid
      ? "A well-formed key: 16 bytes, base64-encoded (24 characters)."
      : "Not a well-formed key (a browser always sends 16 random bytes in base64, 24 characters). A server refuses it, typically with 400 Bad Request; the arithmetic below still works.";
  }
}

customElements.define("handshake-calculator", HandshakeCalculatorElement);
