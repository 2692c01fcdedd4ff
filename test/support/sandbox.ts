import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import type { ServerFeature } from "../../sandbox-server/feature.ts";
import { createFeatures } from "../../sandbox-server/features.ts";
import { createSandboxServer, type SandboxServer } from "../../sandbox-server/server.ts";
import { createStaticSite } from "../../sandbox-server/static-site.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const DIST = `${ROOT}dist`;

export interface RunningSandbox {
  server: SandboxServer;
  port: number;
  http: string;
  ws: string;
}

/** The real sandbox server on an ephemeral loopback port, serving the built site. */
export async function startSandbox(
  features: ServerFeature[] = createFeatures({ root: ROOT }),
  siteDir: string | undefined = DIST,
): Promise<RunningSandbox> {
  const server = createSandboxServer({ siteDir, features });
  const port = await server.listen(0, "127.0.0.1");
  return { server, port, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

/** Opens a `ws` client and waits for the handshake. */
export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

export function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => {
    socket.once("message", (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }));
  });
}

export function closeEvent(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once("close", (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    );
  });
}

/** The built site on a plain static host (no sandbox server), as on any static web host. */
export async function startStaticHost(
  siteDir = DIST,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(createStaticSite(siteDir));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
