import { WebSocketServer } from "ws";

export interface HeartbeatServer {
  port: number;
  clientCount(): number;
  close(): Promise<void>;
}

/** Ping every client each `intervalMs`; terminate those that did not pong. */
export function startHeartbeatServer(options: { intervalMs: number }): Promise<HeartbeatServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  // TODO: track who answered, ping on an interval, terminate the silent ones.
  void options;
  return new Promise((resolve) => {
    server.once("listening", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        port,
        clientCount: () => server.clients.size,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}
