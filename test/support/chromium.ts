import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Launch flags that work in containers and CI (no GPU, no sandbox, no network chatter). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

/** Path of an installed Chromium/Chrome, or undefined. Set CHROMIUM_PATH to choose one. */
export function findChromium(): string | undefined {
  return CANDIDATES.find((path): path is string => Boolean(path && existsSync(path)));
}

export const MISSING_CHROMIUM = `
  ┌──────────────────────────────────────────────────────────────────────┐
  │ Browser tests SKIPPED: no Chromium found.                            │
  │ Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set  │
  │ CHROMIUM_PATH to a Chrome/Chromium binary. With CI=true this fails.  │
  └──────────────────────────────────────────────────────────────────────┘`;

/**
 * Whether browser tests can run here. Missing Chromium is a loud skip on a
 * laptop and an error in CI, so CI never passes without running them.
 */
export function browserAvailable(): boolean {
  if (findChromium()) return true;
  if (process.env.CI === "true") {
    throw new Error(`No Chromium found and CI=true.${MISSING_CHROMIUM}`);
  }
  console.warn(MISSING_CHROMIUM);
  return false;
}

export function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(`No Chromium found.${MISSING_CHROMIUM}`);
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}
