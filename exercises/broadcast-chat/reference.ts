import { WebSocket, WebSocketServer } from "ws";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** A chat server: each text message goes to every other connected client. */
export function startChatServer(): Promise<RunningServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => {
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      for (const client of server.clients) {
        if (client !== socket && client.readyState === WebSocket.OPEN) client.send(text);
      }
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
