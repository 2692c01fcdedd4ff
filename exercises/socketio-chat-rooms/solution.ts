import { createServer } from "node:http";
import { Server } from "socket.io";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Socket.IO chat: join/leave with acks, messages to the rest of a room. */
export function startChatServer(): Promise<RunningServer> {
  const httpServer = createServer();
  const io = new Server(httpServer);
  io.on("connection", (socket) => {
    // TODO: handle "join", "leave" and "message".
    void socket;
  });
  return new Promise((resolve) => {
    httpServer.listen(0, "127.0.0.1", () => {
      const address = httpServer.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ port, close: () => new Promise<void>((done) => io.close(() => done())) });
    });
  });
}
