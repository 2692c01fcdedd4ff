/**
 * `<frame-visualizer>`: the small part that loads with the page. It waits
 * until the visualizer is about to scroll into view, is touched, or a live
 * demo on the page opens a captured connection, then loads the real
 * visualizer (`visualizer-app.ts`, with the protocol core) by dynamic import.
 */

/** Sent on `document` by `<live-demo>` when it opens a connection with `?capture=<id>`. */
export const CAPTURE_EVENT = "wirelab:capture";

export interface CaptureEventDetail {
  /** The capture id the demo put in its query. */
  id: string;
  /** The demo's endpoint path, e.g. `/ws/echo`. */
  endpoint: string;
}

interface VisualizerAppModule {
  mountVisualizer(
    host: HTMLElement,
    pendingLive?: CaptureEventDetail,
  ): {
    followLive(detail: CaptureEventDetail): void;
  };
}

class FrameVisualizerElement extends HTMLElement {
  private app: ReturnType<VisualizerAppModule["mountVisualizer"]> | undefined;
  private loading: Promise<void> | undefined;
  private observer: IntersectionObserver | undefined;
  private pendingLive: CaptureEventDetail | undefined;

  connectedCallback() {
    const load = () => void this.load();
    this.addEventListener("pointerenter", load, { once: true });
    this.addEventListener("focusin", load, { once: true });
    if ("IntersectionObserver" in window) {
      this.observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting)) load();
        },
        { rootMargin: "300px" },
      );
      this.observer.observe(this);
    } else {
      load();
    }
    if (this.dataset.live !== undefined) document.addEventListener(CAPTURE_EVENT, this.onCapture);
  }

  disconnectedCallback() {
    this.observer?.disconnect();
    document.removeEventListener(CAPTURE_EVENT, this.onCapture);
  }

  private onCapture = (event: Event) => {
    const detail = (event as CustomEvent<CaptureEventDetail>).detail;
    const follow = this.dataset.follow;
    if (!detail || (follow && follow !== detail.endpoint)) return;
    if (this.app) this.app.followLive(detail);
    else {
      this.pendingLive = detail;
      void this.load();
    }
  };

  private load(): Promise<void> {
    this.observer?.disconnect();
    this.loading ??= import("./visualizer-app.ts").then((module: VisualizerAppModule) => {
      this.app = module.mountVisualizer(this, this.pendingLive);
      this.pendingLive = undefined;
    });
    return this.loading;
  }
}

if (!customElements.get("frame-visualizer"))
  customElements.define("frame-visualizer", FrameVisualizerElement);
