import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";

/** What the built site depends on: a change to any of these makes `dist/` stale. */
const SITE_INPUTS = ["src", "public", "exercises", "astro.config.mjs", "package-lock.json"];
const BUILD_STAMP = ".wirelab-build";

/** Newest modification time (ms) under the given paths, walking directories. */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stats = statSync(path);
    newest = Math.max(newest, stats.mtimeMs);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    }
  };
  paths.forEach(visit);
  return newest;
}

/** True when `dist/` is missing or older than any of the site's sources. */
export function siteIsStale(root: string): boolean {
  const stamp = join(root, "dist", BUILD_STAMP);
  if (!existsSync(stamp)) return true;
  return newestMtime(SITE_INPUTS.map((input) => join(root, input))) > statSync(stamp).mtimeMs;
}

/** A lock older than this belongs to a build that died; take it over. */
const LOCK_STALE_MS = 180_000;

/**
 * Runs `astro build` when the site is missing or stale; resolves once `dist/`
 * is current. Concurrent callers (several test runs, a server start) take
 * turns through a lock directory, so two builds never write `dist/` at once.
 */
export async function ensureSiteBuilt(root: string, log: (line: string) => void = console.log) {
  if (!siteIsStale(root)) return;
  const lock = join(root, ".astro-build.lock");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const lockedAt = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - lockedAt > LOCK_STALE_MS) {
        rmSync(lock, { recursive: true, force: true });
      }
      await sleep(250);
    }
  }
  try {
    if (siteIsStale(root)) await build(root, log);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function build(root: string, log: (line: string) => void) {
  log("Building the course site (astro build)…");
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, "node_modules/astro/bin/astro.mjs"), "build"],
      {
        cwd: root,
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`astro build failed (exit ${code})`)),
    );
  });
  writeFileSync(join(root, "dist", BUILD_STAMP), new Date().toISOString());
  log(`Site built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
