import { WebSocketServer } from "ws";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** A chat server: each text message goes to every other connected client. */
export function startChatServer(): Promise<RunningServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => {
    socket.on("message", (data) => {
      // TODO: send to every other client, not back to the sender.
      socket.send(data.toString());
    });
  });
  return new Promise((resolve) => {
    server.once("listening", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}
