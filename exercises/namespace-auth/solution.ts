import { createServer } from "node:http";
import { Server } from "socket.io";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** `/admin` requires `auth.token === token`; `/` is open to everyone. */
export function startAdminServer(token: string): Promise<RunningServer> {
  const httpServer = createServer();
  const io = new Server(httpServer);
  const admin = io.of("/admin");
  // TODO: middleware on /admin that checks socket.handshake.auth.token against `token`.
  void token;
  admin.on("connection", (socket) => {
    socket.on("whoami", (ack: (answer: { admin: boolean }) => void) => ack({ admin: true }));
  });
  io.on("connection", (socket) => {
    socket.on("whoami", (ack: (answer: { admin: boolean }) => void) => ack({ admin: false }));
  });
  return new Promise((resolve) => {
    httpServer.listen(0, "127.0.0.1", () => {
      const address = httpServer.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ port, close: () => new Promise<void>((done) => io.close(() => done())) });
    });
  });
}
