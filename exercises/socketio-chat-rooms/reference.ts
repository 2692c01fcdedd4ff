import { createServer } from "node:http";
import { Server } from "socket.io";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

type Ack = (answer: { ok: boolean; room?: string; error?: string }) => void;

/** Socket.IO chat: join/leave with acks, messages to the rest of a room. */
export function startChatServer(): Promise<RunningServer> {
  const httpServer = createServer();
  const io = new Server(httpServer);

  io.on("connection", (socket) => {
    socket.on("join", async (room: unknown, ack: Ack) => {
      if (typeof room !== "string") return ack?.({ ok: false, error: "room must be a string" });
      await socket.join(room);
      ack?.({ ok: true, room });
    });
    socket.on("leave", async (room: unknown, ack: Ack) => {
      if (typeof room !== "string") return ack?.({ ok: false, error: "room must be a string" });
      await socket.leave(room);
      ack?.({ ok: true, room });
    });
    socket.on("message", (payload: { room?: unknown; text?: unknown }) => {
      if (typeof payload?.room !== "string" || typeof payload.text !== "string") return;
      socket
        .to(payload.room)
        .emit("message", { room: payload.room, text: payload.text, from: socket.id });
    });
  });

  return new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(0, "127.0.0.1", () => {
      const address = httpServer.address();
      if (typeof address !== "object" || address === null)
        throw new Error("not listening on a TCP port");
      resolve({
        port: address.port,
        close: () => new Promise<void>((done) => io.close(() => done())),
      });
    });
  });
}
