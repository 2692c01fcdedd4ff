import { createServer } from "node:http";
import { Server } from "socket.io";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

type WhoAmI = (answer: { admin: boolean }) => void;

/** `/admin` requires `auth.token === token`; `/` is open to everyone. */
export function startAdminServer(token: string): Promise<RunningServer> {
  const httpServer = createServer();
  const io = new Server(httpServer);

  const admin = io.of("/admin");
  admin.use((socket, next) => {
    const given = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof given === "string" && given === token) next();
    else next(new Error("not authorized"));
  });
  admin.on("connection", (socket) => {
    socket.on("whoami", (ack: WhoAmI) => ack({ admin: true }));
  });

  io.on("connection", (socket) => {
    socket.on("whoami", (ack: WhoAmI) => ack({ admin: false }));
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
