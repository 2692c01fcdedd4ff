/**
 * Screenshots of the course pages at desktop and phone width, light and dark,
 * for the README and for looking at what we ship.
 *   node scripts/screenshots.ts [baseUrl] [outDir] [paths...]
 * Needs a running server (npm start) and Chromium.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../test/support/chromium.ts";

const [baseUrl = "http://127.0.0.1:4321", outDir = "screenshots", ...argPaths] =
  process.argv.slice(2);
const paths = argPaths.length > 0 ? argPaths : ["/", "/lessons/what-is-a-websocket/"];
const viewports = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 375, height: 812 },
};

mkdirSync(outDir, { recursive: true });
const browser = await launchChromium();
for (const [device, viewport] of Object.entries(viewports)) {
  for (const colorScheme of ["light", "dark"] as const) {
    const page = await browser.newPage({ viewport, colorScheme, deviceScaleFactor: 1 });
    for (const path of paths) {
      await page.goto(new URL(path, baseUrl).href, { waitUntil: "networkidle" });
      const name = path.replace(/^\/|\/$/g, "").replace(/\//g, "_") || "home";
      const file = join(outDir, `${name}-${device}-${colorScheme}.png`);
      await page.screenshot({ path: file, fullPage: process.env.FULL_PAGE === "1" });
      console.log(file);
    }
    await page.close();
  }
}
await browser.close();
