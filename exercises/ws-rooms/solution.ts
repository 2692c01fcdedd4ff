import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Rooms over a JSON protocol: join, leave, message (see the instructions). */
export function startRoomServer(): Promise<RunningServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const rooms = new Map<string, Set<WebSocket>>();
  server.on("connection", (socket) => {
    socket.on("message", (data) => {
      // TODO: parse the JSON, then handle "join", "leave" and "message".
      void rooms;
      void data;
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
