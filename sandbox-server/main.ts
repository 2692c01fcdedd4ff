import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createFeatures } from "./features.ts";
import { createSandboxServer } from "./server.ts";
import { ensureSiteBuilt } from "./site-build.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const usage = `Usage: npm start -- [--port N] [--host H] [--no-site]

  --port N    port to listen on (env PORT; default 4321)
  --host H    address to bind (env HOST; default 127.0.0.1)
  --no-site   serve only the sandbox (no static site; used by npm run dev)`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: process.env.PORT ?? "4321" },
      host: { type: "string", default: process.env.HOST ?? "127.0.0.1" },
      "no-site": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer between 0 and 65535, got "${values.port}"`);
  }
  return { port, host: values.host, serveSite: !values["no-site"] };
}

async function main() {
  const options = parseOptions();
  if (options.serveSite) await ensureSiteBuilt(root);
  const server = createSandboxServer({
    siteDir: options.serveSite ? join(root, "dist") : undefined,
    features: createFeatures({ root }),
  });
  const port = await server.listen(options.port, options.host);
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  console.log(`WireLab is running at http://${shownHost}:${port}/`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) process.exit(1); // a second Ctrl+C forces the exit
    closing = true;
    console.log(`\n${signal}: closing connections (1001 going away)…`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
