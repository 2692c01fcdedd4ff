import type { ServerFeature } from "../feature.ts";
import { CaptureStore, type CaptureLimits } from "./capture-store.ts";
import { installCaptureHook } from "./recorder.ts";
import { CaptureTap } from "./tap.ts";

export { CaptureStore, isValidCaptureId, serializeEntry, entryToJson } from "./capture-store.ts";
export type { CaptureEntry, CaptureEntryJson, CaptureLimits } from "./capture-store.ts";

export interface CaptureFeatureOptions {
  /** Overrides of the default limits (512 KiB per capture, 64 captures, 30 min idle, 4 taps). */
  limits?: Partial<CaptureLimits>;
  /** Clock (epoch ms); injectable for tests. */
  now?: () => number;
  /** An Engine.IO polling session with no request for this long has ended. Default 60 s. */
  engineIoIdleMs?: number;
}

export interface CaptureFeature extends ServerFeature {
  store: CaptureStore;
}

/** Records demo connections opened with `capture=<id>` and serves `/ws/tap`. */
export function createCaptureFeature(options: CaptureFeatureOptions = {}): CaptureFeature {
  const store: CaptureStore = new CaptureStore({
    limits: options.limits,
    now: options.now,
    onDrop: (capture, reason) => captureTap.dropped(capture, reason),
  });
  const captureTap = new CaptureTap(store);
  return {
    name: "capture",
    store,
    rawUpgrades: {
      "/ws/tap": (request, socket, head, url) =>
        captureTap.handleUpgrade(request, socket, head, url),
    },
    attach(server) {
      installCaptureHook(server, store, {
        excludePaths: ["/ws/tap"],
        engineIoIdleMs: options.engineIoIdleMs,
      });
      store.startSweeping();
    },
    async close() {
      store.stopSweeping();
      await captureTap.close();
    },
  };
}
