import type { ServerFeature } from "../feature.ts";
import { ConnectionCounter } from "./admission.ts";
import { setUpChatNamespace } from "./chat-namespace.ts";
import { LAB_PATH, createEventsLab, setUpEventsWatch } from "./events-lab.ts";
import { resolveRealtimeOptions, type RealtimeOptions } from "./options.ts";
import { createRoutedSocketIo, limitRate, reply } from "./socket-io.ts";
import { createWsChat } from "./ws-chat.ts";

export type { RealtimeOptions } from "./options.ts";

/** Path of the main Socket.IO server (the default path). */
export const SOCKET_IO_PATH = "/socket.io/";

/**
 * Socket.IO (`/socket.io/`: namespaces `/`, `/chat`, `/events-watch`; and the
 * lab server `/socket.io-lab/`: `/events`) and the plain-`ws` chat `/ws/chat`,
 * with one per-IP connection cap, per-connection rate limits, payload limits
 * and an Origin check. The API is documented in `docs/sandbox-server.md`.
 */
export function createRealtimeFeature(overrides: Partial<RealtimeOptions> = {}): ServerFeature {
  const options = resolveRealtimeOptions(overrides);
  const counter = new ConnectionCounter(options.maxConnectionsPerIp);

  const main = createRoutedSocketIo(SOCKET_IO_PATH, options, counter);
  const root = main.io.of("/");
  limitRate(root, options);
  root.on("connection", (socket) => {
    // `echo` answers with every argument it got, as one array:
    // `await socket.emitWithAck("echo", "a", 1)` resolves to `["a", 1]`.
    // Without an ack, the arguments come back as an `echo` event instead.
    socket.on("echo", (...args: unknown[]) => {
      const ack = typeof args.at(-1) === "function" ? args.pop() : undefined;
      if (ack) reply(ack, args);
      else socket.emit("echo", ...args);
    });
  });

  const chat = main.io.of("/chat");
  limitRate(chat, options);
  setUpChatNamespace(chat, options);

  const watch = main.io.of("/events-watch");
  setUpEventsWatch(watch, options);
  const lab = createEventsLab(options, counter, watch);

  const wsChat = createWsChat(options, counter);
  const servers = [main, lab];

  return {
    name: "realtime",
    handleRequest(request, response, url) {
      const server = servers.find((candidate) => url.pathname.startsWith(candidate.path));
      if (!server) return false;
      server.handleRequest(request, response);
      return true;
    },
    rawUpgrades: {
      [SOCKET_IO_PATH]: (request, socket, head) => main.handleUpgrade(request, socket, head),
      [LAB_PATH]: (request, socket, head) => lab.handleUpgrade(request, socket, head),
      "/ws/chat": wsChat.upgrade,
    },
    attach(_server, context) {
      // Registered so the sandbox's shutdown closes chat sockets with 1001 like the other demos.
      context.webSocketServers.push(wsChat.wss);
    },
    describe() {
      const origins = options.originAllowlist?.join(", ") ?? "same host and localhost";
      return [
        `Socket.IO at ${SOCKET_IO_PATH} and ${LAB_PATH}, chat at /ws/chat`,
        `  limits: ${options.maxConnectionsPerIp} connections per IP, ` +
          `${options.messageBurst} messages burst / ${options.messagesPerSecond} per second, ` +
          `origins: ${origins}`,
      ];
    },
    async close() {
      await Promise.all(servers.map((server) => server.io.close()));
    },
  };
}
