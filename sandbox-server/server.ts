import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { ServerFeature, WebSocketEndpoint } from "./feature.ts";
import { sendJson } from "./http-json.ts";
import { createStaticSite } from "./static-site.ts";

/** Default cap on one WebSocket message for demo endpoints (closes with 1009 above it). */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024;

export interface SandboxServerOptions {
  /** Directory of the built site to serve; omit to serve only the sandbox (used by `npm run dev`). */
  siteDir?: string;
  /** Parts of the sandbox (demos, grading, class mode...). */
  features: ServerFeature[];
}

export interface SandboxServer {
  http: Server;
  /** Starts listening; resolves with the bound port (pass 0 for an ephemeral one). */
  listen(port: number, host: string): Promise<number>;
  /** Closes every WebSocket with 1001 (going away), stops the features and the HTTP server. */
  close(): Promise<void>;
}

/** HTTP server that serves the site and routes WebSocket upgrades by pathname. */
export function createSandboxServer(options: SandboxServerOptions): SandboxServer {
  const { features } = options;
  const site = options.siteDir ? createStaticSite(options.siteDir) : undefined;
  const webSocketServers: WebSocketServer[] = [];
  const endpoints = new Map<string, { wss: WebSocketServer; endpoint: WebSocketEndpoint }>();
  const rawUpgrades = new Map<string, NonNullable<ServerFeature["rawUpgrades"]>[string]>();

  for (const feature of features) {
    for (const [path, endpoint] of Object.entries(feature.webSockets ?? {})) {
      const wss = new WebSocketServer({
        noServer: true,
        maxPayload: endpoint.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      });
      wss.on("connection", (socket, request: IncomingMessage) => {
        // Protocol errors from a client (oversize, bad frames) are answered by `ws`
        // with the right close code; they must not crash the server.
        socket.on("error", () => {});
        endpoint.onConnection(socket, request, requestUrl(request));
      });
      webSocketServers.push(wss);
      endpoints.set(path, { wss, endpoint });
    }
    for (const [path, handler] of Object.entries(feature.rawUpgrades ?? {})) {
      rawUpgrades.set(path, handler);
    }
  }

  const http = createServer((request, response) => {
    void handleRequest(request, response).catch((error: unknown) => {
      console.error("request failed:", error);
      if (!response.headersSent) sendJson(response, 500, { error: "internal error" });
      else response.destroy();
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse) {
    const url = requestUrl(request);
    if (url.pathname === "/healthz") {
      sendJson(response, 200, {
        status: "ok",
        uptimeSeconds: Math.round(process.uptime()),
        features: features.map((feature) => feature.name),
      });
      return;
    }
    for (const feature of features) {
      if (feature.handleRequest && (await feature.handleRequest(request, response, url))) return;
    }
    if (site) {
      site(request, response);
      return;
    }
    sendJson(response, 404, { error: `nothing at ${url.pathname}` });
  }

  // A client that sends half a request (or half a handshake) is dropped after
  // 10 s instead of Node's default 60 s: the demos face untrusted networks.
  http.headersTimeout = 10_000;

  http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(request);
    const raw = rawUpgrades.get(url.pathname);
    if (raw) {
      raw(request, socket, head, url);
      return;
    }
    const target = endpoints.get(url.pathname);
    if (!target) {
      rejectUpgrade(socket, 404, "Not Found");
      return;
    }
    const refusal = target.endpoint.authorize?.(request, url);
    if (refusal) {
      rejectUpgrade(socket, refusal.status, refusal.reason);
      return;
    }
    target.wss.handleUpgrade(request, socket, head, (ws) => {
      target.wss.emit("connection", ws, request);
    });
  });

  for (const feature of features) feature.attach?.(http, { webSocketServers });

  return {
    http,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(port, host, () => {
          http.off("error", reject);
          const address = http.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      });
    },
    async close() {
      for (const wss of webSocketServers) {
        for (const client of wss.clients) client.close(1001, "server shutting down");
      }
      await Promise.all(features.map((feature) => feature.close?.()));
      await Promise.all(
        webSocketServers.map((wss) => new Promise<void>((resolve) => wss.close(() => resolve()))),
      );
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
    },
  };
}

function requestUrl(request: IncomingMessage): URL {
  return new URL(request.url ?? "/", "http://sandbox.invalid");
}

/** Answers an upgrade we will not perform with a plain HTTP response, then closes the socket. */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): void {
  const body = `${status} ${reason}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  socket.once("finish", () => socket.destroy());
}
