import { createServer } from "node:http";
import { WebSocketServer } from "ws";

export interface Guard {
  /** Origins allowed to open a WebSocket, e.g. "https://app.example.com". */
  allowedOrigins: string[];
  /** Largest message accepted, in bytes. */
  maxPayload: number;
  /** Most messages one client may send within a second. */
  maxMessagesPerSecond: number;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** An echo server that checks Origin, message size and message rate. */
export function startGuardedServer(guard: Guard): Promise<RunningServer> {
  void guard; // TODO: use it
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true });

  http.on("upgrade", (request, socket, head) => {
    // TODO: refuse origins that are not allowed with 403, before upgrading.
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });

  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => {
      // TODO: close with 1008 when the client sends too many messages per second.
      ws.send(data, { binary: isBinary });
    });
  });

  return new Promise((resolve) => {
    http.listen(0, "127.0.0.1", () => {
      const address = http.address();
      resolve({
        port: typeof address === "object" && address ? address.port : 0,
        close: () =>
          new Promise((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close();
            http.close(() => done());
          }),
      });
    });
  });
}
