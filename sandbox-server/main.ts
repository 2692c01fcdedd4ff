import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClassroom } from "./classroom/index.ts";
import { classBanner } from "./classroom/lan.ts";
import { createFeatures } from "./features.ts";
import type { createGradingFeature } from "./grading/index.ts";
import { createSandboxServer } from "./server.ts";
import { ensureSiteBuilt } from "./site-build.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

const usage = `Usage: npm start -- [options]

  --port N        port to listen on (env PORT; default 4321)
  --host H        address to bind (env HOST; default 127.0.0.1, or 0.0.0.0 with --class)
  --class         class mode: listen on the LAN, print the student URL and QR code and a
                  secret instructor URL; progress is kept in SQLite under --data-dir
  --data-dir D    where class mode keeps its database (env WIRELAB_DATA_DIR; default ./data)
  --origin URL    allow demo and class connections from pages at this origin (repeatable;
                  env ORIGINS, comma-separated; default: this server's own host and localhost)
  --max-connections-per-ip N
                  open realtime connections per client address (default 40; raise it behind
                  a reverse proxy, where every student shares the proxy's address)
  --allow-unsafe-grading
                  grade code from other machines even without a sandbox (bubblewrap);
                  without it, such a server grades only for this machine and refuses --class
  --no-site       serve only the sandbox (no static site; used by npm run dev)
  -h, --help      this text

  env WIRELAB_INSTRUCTOR_TOKEN   the instructor's token (default: random per start)`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: process.env.PORT ?? "4321" },
      host: { type: "string", default: process.env.HOST },
      class: { type: "boolean", default: false },
      "data-dir": { type: "string", default: process.env.WIRELAB_DATA_DIR ?? join(root, "data") },
      origin: { type: "string", multiple: true, default: process.env.ORIGINS?.split(",") ?? [] },
      "max-connections-per-ip": { type: "string" },
      "allow-unsafe-grading": { type: "boolean", default: false },
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
  const maxConnectionsPerIp =
    values["max-connections-per-ip"] === undefined
      ? undefined
      : Number(values["max-connections-per-ip"]);
  if (
    maxConnectionsPerIp !== undefined &&
    !(Number.isInteger(maxConnectionsPerIp) && maxConnectionsPerIp > 0)
  ) {
    throw new Error(`--max-connections-per-ip must be a positive integer`);
  }
  const origins = values.origin.map((origin) => origin.trim()).filter(Boolean);
  return {
    port,
    originAllowlist: origins.length > 0 ? origins : undefined,
    maxConnectionsPerIp,
    host: values.host ?? (values.class ? "0.0.0.0" : "127.0.0.1"),
    classMode: values.class,
    allowUnsafeGrading: values["allow-unsafe-grading"],
    dataDir: resolve(values["data-dir"]),
    serveSite: !values["no-site"],
  };
}

async function main() {
  const options = parseOptions();
  if (options.serveSite) await ensureSiteBuilt(root);
  const classroom = options.classMode
    ? createClassroom({
        databasePath: join(options.dataDir, "class.sqlite"),
        instructorToken: process.env.WIRELAB_INSTRUCTOR_TOKEN || undefined,
      })
    : undefined;
  const features = createFeatures({
    root,
    classroom,
    grading: { allowUnsafe: options.allowUnsafeGrading },
    originAllowlist: options.originAllowlist,
    maxConnectionsPerIp: options.maxConnectionsPerIp,
  });
  const server = createSandboxServer({
    siteDir: options.serveSite ? join(root, "dist") : undefined,
    features,
  });
  const grading = features.find((feature) => feature.name === "grading") as
    ReturnType<typeof createGradingFeature> | undefined;
  if (
    classroom &&
    grading &&
    !grading.grader.description.sandboxed &&
    !options.allowUnsafeGrading
  ) {
    for (const line of grading.describe?.() ?? []) console.error(line);
    console.error(
      "\nClass mode refused: students' code would run on this machine without a sandbox.\n" +
        "Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) or, if you accept the risk,\n" +
        "start with --allow-unsafe-grading.",
    );
    await server.close();
    process.exit(2);
  }
  const port = await server.listen(options.port, options.host);
  for (const feature of features) for (const line of feature.describe?.() ?? []) console.log(line);
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  console.log(`WireLab is running at http://${shownHost}:${port}/`);
  if (classroom) {
    console.log(
      classBanner({ host: options.host, port, instructorToken: classroom.instructorToken }),
    );
  }

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
