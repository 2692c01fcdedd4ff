import type { IncomingMessage } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import type { RawUpgradeHandler } from "../feature.ts";
import { checkOrigin, clientIp, refuseUpgrade, type ConnectionCounter } from "./admission.ts";
import type { RealtimeOptions } from "./options.ts";
import { TokenBucket, rateLimitMessage } from "./token-bucket.ts";
import { checkLabel, guestName } from "./validation.ts";

/** Close codes `/ws/chat` uses (RFC 6455 §7.4.1). */
export const CHAT_CLOSE = {
  /** Bad room or name, or over the rate limit. */
  policy: 1008,
  /** A binary message: this chat takes text only. */
  unacceptable: 1003,
} as const;

/** A member above this many unsent bytes is too slow: it is skipped rather than buffered forever. */
const SLOW_CONSUMER_BYTES = 1024 * 1024;

interface Member {
  socket: WebSocket;
  name: string;
}

export interface WsChat {
  wss: WebSocketServer;
  upgrade: RawUpgradeHandler;
}

/**
 * `/ws/chat?room=R&name=N`: a chat on plain `ws`, the same job as Socket.IO's
 * `/chat` namespace done by hand (rooms are a `Map`, broadcast is a loop).
 * Every message goes out as JSON text; chat text is carried verbatim as data.
 */
export function createWsChat(options: RealtimeOptions, counter: ConnectionCounter): WsChat {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.chatMaxPayload });
  const rooms = new Map<string, Set<Member>>();

  const send = (member: Member, message: Record<string, unknown>) => {
    if (member.socket.readyState !== WebSocket.OPEN) return;
    if (member.socket.bufferedAmount > SLOW_CONSUMER_BYTES) return;
    member.socket.send(JSON.stringify(message));
  };
  const toOthers = (room: string, sender: Member, message: Record<string, unknown>) => {
    for (const member of rooms.get(room) ?? []) if (member !== sender) send(member, message);
  };

  function onConnection(socket: WebSocket, request: IncomingMessage, url: URL) {
    socket.on("error", () => {});
    const release = counter.add(clientIp(request));
    socket.once("close", release);

    const room = checkLabel("room", url.searchParams.get("room") ?? undefined);
    if (!room.ok) {
      socket.close(CHAT_CLOSE.policy, room.error.message);
      return;
    }
    const givenName = url.searchParams.get("name");
    const name =
      givenName === null
        ? { ok: true as const, value: guestName() }
        : checkLabel("name", givenName);
    if (!name.ok) {
      socket.close(CHAT_CLOSE.policy, name.error.message);
      return;
    }

    const member: Member = { socket, name: name.value };
    const members = rooms.get(room.value) ?? new Set<Member>();
    rooms.set(room.value, members);
    send(member, {
      type: "welcome",
      room: room.value,
      name: member.name,
      members: [...members].map((other) => other.name),
      time: new Date().toISOString(),
    });
    members.add(member);
    toOthers(room.value, member, {
      type: "join",
      room: room.value,
      name: member.name,
      time: new Date().toISOString(),
    });

    const bucket = new TokenBucket(options.messageBurst, options.messagesPerSecond, options.now);
    let refused = false;
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (refused) return;
      if (isBinary) {
        refused = true;
        socket.close(CHAT_CLOSE.unacceptable, "binary messages are not accepted: send text");
        return;
      }
      if (!bucket.take()) {
        refused = true;
        socket.close(CHAT_CLOSE.policy, rateLimitMessage(bucket));
        return;
      }
      toOthers(room.value, member, {
        type: "message",
        room: room.value,
        from: member.name,
        text: data.toString("utf8"),
        time: new Date().toISOString(),
      });
    });

    socket.once("close", () => {
      members.delete(member);
      if (members.size === 0) rooms.delete(room.value);
      toOthers(room.value, member, {
        type: "leave",
        room: room.value,
        name: member.name,
        time: new Date().toISOString(),
      });
    });
  }

  const upgrade: RawUpgradeHandler = (request, socket, head, url) => {
    const refusal =
      checkOrigin(request, options.originAllowlist) ?? counter.check(clientIp(request));
    if (refusal) {
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, request, url));
  };

  return { wss, upgrade };
}
