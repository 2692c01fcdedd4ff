import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";

export interface HeartbeatServer {
  port: number;
  clientCount(): number;
  close(): Promise<void>;
}

/** Ping every client each `intervalMs`; terminate those that did not pong. */
export function startHeartbeatServer(options: { intervalMs: number }): Promise<HeartbeatServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const answered = new WeakSet<WebSocket>();

  server.on("connection", (socket) => {
    answered.add(socket);
    socket.on("pong", () => answered.add(socket));
  });

  const timer = setInterval(() => {
    for (const socket of server.clients) {
      if (!answered.has(socket)) {
        socket.terminate(); // no pong since the last ping: the peer is gone
        continue;
      }
      answered.delete(socket);
      socket.ping();
    }
  }, options.intervalMs);

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address();
      if (typeof address !== "object" || address === null)
        throw new Error("not listening on a TCP port");
      resolve({
        port: address.port,
        clientCount: () => server.clients.size,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(timer);
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}
