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
  const allowed = new Set(guard.allowedOrigins);
  const http = createServer();
  // ws closes with 1009 by itself when a message is over maxPayload.
  const wss = new WebSocketServer({ noServer: true, maxPayload: guard.maxPayload });

  http.on("upgrade", (request, socket, head) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });

  wss.on("connection", (ws) => {
    // ws reports an oversized message here, then closes with 1009 itself.
    ws.on("error", () => {});
    let arrivals: number[] = [];
    ws.on("message", (data, isBinary) => {
      const now = Date.now();
      arrivals = arrivals.filter((time) => now - time < 1000);
      arrivals.push(now);
      if (arrivals.length > guard.maxMessagesPerSecond) {
        ws.close(1008, "too many messages");
        return;
      }
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
