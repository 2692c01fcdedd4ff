/**
 * `npm run dev` for course authors: the sandbox server on its own port, and
 * `astro dev` (hot reload) in front of it, forwarding demo traffic to it.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFeatures } from "./features.ts";
import { createSandboxServer } from "./server.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sandbox = createSandboxServer({ features: createFeatures({ root }) });
const sandboxPort = await sandbox.listen(Number(process.env.SANDBOX_PORT ?? 0), "127.0.0.1");
console.log(`Sandbox server (demos only) on http://127.0.0.1:${sandboxPort}/`);

const astro = spawn(
  process.execPath,
  [join(root, "node_modules/astro/bin/astro.mjs"), "dev", ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, WIRELAB_SANDBOX_URL: `http://127.0.0.1:${sandboxPort}` },
  },
);

const stop = () => astro.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
astro.on("exit", (code) => {
  void sandbox.close().then(() => process.exit(code ?? 0));
});
