import { WebSocketServer } from "ws";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Start a WebSocket echo server on an ephemeral loopback port. */
export function startEchoServer(): Promise<RunningServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  // TODO: echo every message back with the same type (text or binary).
  return new Promise((resolve) => {
    server.on("listening", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
