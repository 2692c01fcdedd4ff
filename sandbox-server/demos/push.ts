import type { WebSocketEndpoint } from "../feature.ts";

/** How often `/ws/push` ticks after its greeting. */
export const PUSH_INTERVAL_MS = 2000;

/**
 * `/ws/push`: the server speaks first. A greeting goes out as soon as the
 * connection opens, then a tick every two seconds, with no client message needed.
 */
export const pushEndpoint: WebSocketEndpoint = {
  onConnection(socket) {
    let tick = 0;
    const send = () => {
      socket.send(
        JSON.stringify({
          type: tick === 0 ? "hello" : "tick",
          tick,
          serverTime: new Date().toISOString(),
          text:
            tick === 0
              ? "Hello! The server spoke first: you sent nothing."
              : `Tick ${tick}, pushed by the server.`,
        }),
      );
      tick += 1;
    };
    send();
    const timer = setInterval(send, PUSH_INTERVAL_MS);
    socket.on("close", () => clearInterval(timer));
  },
};
