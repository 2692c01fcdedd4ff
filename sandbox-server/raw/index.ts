import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { RawUpgradeHandler, ServerFeature } from "../feature.ts";
import { checkOpeningHandshake, refusalResponse, switchingProtocolsResponse } from "./handshake.ts";
import { RawConnection } from "./raw-connection.ts";

/** Largest message `/ws/raw` and `/ws/echo-deflate` accept, like the other demos (1009 above it). */
export const RAW_MAX_MESSAGE_SIZE = 64 * 1024;

/**
 * `/ws/raw`: the opening handshake and every frame handled by hand on
 * `src/protocol/` (no `ws` on this path); and `/ws/echo-deflate`: `/ws/echo`
 * with permessage-deflate negotiated (RFC 7692), so lessons can show
 * compressed frames.
 */
export function createRawFeature(): ServerFeature {
  const connections = new Set<RawConnection>();
  const deflate = new WebSocketServer({
    noServer: true,
    maxPayload: RAW_MAX_MESSAGE_SIZE,
    // threshold 0: compress every message, even "Hello" (RFC 7692 §7.2.3.1's example).
    perMessageDeflate: { threshold: 0 },
  });
  deflate.on("connection", (socket) => {
    socket.on("error", () => {});
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  });

  const raw: RawUpgradeHandler = (request, socket, head) => {
    const check = checkOpeningHandshake(request);
    if (!check.ok) {
      endWith(socket, refusalResponse(check));
      return;
    }
    socket.on("error", () => socket.destroy());
    socket.write(switchingProtocolsResponse(check.accept));
    const connection = new RawConnection(socket, { maxMessageSize: RAW_MAX_MESSAGE_SIZE });
    connections.add(connection);
    socket.once("close", () => connections.delete(connection));
    if (head.length > 0) connection.receive(head);
  };

  return {
    name: "raw",
    rawUpgrades: {
      "/ws/raw": raw,
      "/ws/echo-deflate": (request, socket, head) => {
        deflate.handleUpgrade(request, socket, head, (ws) =>
          deflate.emit("connection", ws, request),
        );
      },
    },
    handleRequest(request, response, url) {
      // A plain GET (no `Connection: Upgrade`) never reaches the upgrade handler: explain why.
      if (url.pathname !== "/ws/raw") return false;
      const check = checkOpeningHandshake(request);
      const refusal = check.ok
        ? {
            status: 400,
            reason: "Bad Request",
            explanation: "This is a WebSocket endpoint: open it with new WebSocket(url).",
            headers: {},
          }
        : check;
      const body = `${refusal.status} ${refusal.reason}: ${refusal.explanation}\n`;
      response.writeHead(refusal.status, {
        ...refusal.headers,
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(body),
        "cache-control": "no-store",
        connection: "close",
      });
      response.end(body);
      return true;
    },
    async close() {
      for (const connection of connections) connection.goingAway();
      for (const client of deflate.clients) client.close(1001, "server shutting down");
      await new Promise<void>((resolve) => deflate.close(() => resolve()));
    },
  };
}

function endWith(socket: Duplex, text: string): void {
  socket.on("error", () => socket.destroy());
  socket.end(text);
  socket.once("finish", () => socket.destroy());
}
