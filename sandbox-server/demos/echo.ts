import type { WebSocketEndpoint } from "../feature.ts";

/** `/ws/echo`: every message comes back with the same type (text stays text, binary stays binary). */
export const echoEndpoint: WebSocketEndpoint = {
  onConnection(socket) {
    socket.on("message", (data, isBinary) => {
      socket.send(data, { binary: isBinary });
    });
  },
};
