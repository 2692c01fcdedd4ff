import { WebSocketServer } from "ws";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Start a WebSocket echo server on an ephemeral loopback port. */
export function startEchoServer(): Promise<RunningServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => {
    socket.on("message", (data, isBinary) => {
      socket.send(data, { binary: isBinary });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address();
      if (typeof address !== "object" || address === null)
        throw new Error("not listening on a TCP port");
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}
