import type { Namespace, Socket } from "socket.io";
import type { RealtimeOptions } from "./options.ts";
import { connectError, reply } from "./socket-io.ts";
import {
  checkLabel,
  checkText,
  guestName,
  type Checked,
  type RealtimeError,
} from "./validation.ts";

/** The broadcast flavours `/chat`'s `broadcast` event demonstrates, one per Socket.IO API. */
export const BROADCAST_SCOPES = [
  "all",
  "others",
  "room",
  "room-others",
  "except",
  "union",
] as const;
export type BroadcastScope = (typeof BROADCAST_SCOPES)[number];

type Failure = { ok: false; error: RealtimeError };
const fail = (code: string, message: string): Failure => ({ ok: false, error: { code, message } });

/**
 * `/chat`: rooms and every broadcast flavour. Acks are always one object:
 * `{ok: true, ...}` or `{ok: false, error: {code, message}}`. Text is relayed
 * as a JSON string value; the server never builds markup from it.
 */
export function setUpChatNamespace(chat: Namespace, options: RealtimeOptions): void {
  chat.use((socket, next) => {
    const given = socket.handshake.auth.name ?? socket.handshake.query.name;
    if (given === undefined) {
      socket.data.name = guestName();
      next();
      return;
    }
    const name = checkLabel("name", given);
    if (!name.ok) {
      next(connectError(name.error.message, { code: name.error.code }));
      return;
    }
    socket.data.name = name.value;
    next();
  });

  /** A room a client may use: a valid label that is not some socket's private room. */
  const checkRoom = (value: unknown): Checked<string> => {
    const room = checkLabel("room", value);
    if (room.ok && chat.sockets.has(room.value)) {
      return fail("ROOM_RESERVED", "that room name is a socket id (a socket's private room)");
    }
    return room;
  };
  const joinedRooms = (socket: Socket) => [...socket.rooms].filter((room) => room !== socket.id);
  const othersIn = (socket: Socket, room: string) => {
    const members = chat.adapter.rooms.get(room);
    if (!members) return 0;
    return members.size - (members.has(socket.id) ? 1 : 0);
  };
  const now = () => new Date().toISOString();

  chat.on("connection", (socket: Socket) => {
    const from: string = socket.data.name;

    socket.on("join", (roomArg: unknown, ack: unknown) => {
      const room = checkRoom(roomArg);
      if (!room.ok) return reply(ack, room);
      if (!socket.rooms.has(room.value)) {
        if (joinedRooms(socket).length >= options.maxRoomsPerSocket) {
          return reply(
            ack,
            fail("TOO_MANY_ROOMS", `at most ${options.maxRoomsPerSocket} rooms per socket`),
          );
        }
        socket.join(room.value);
        socket
          .to(room.value)
          .emit("presence", { event: "join", room: room.value, name: from, time: now() });
      }
      reply(ack, { ok: true, room: room.value, rooms: joinedRooms(socket) });
    });

    socket.on("leave", (roomArg: unknown, ack: unknown) => {
      const room = checkRoom(roomArg);
      if (!room.ok) return reply(ack, room);
      if (socket.rooms.has(room.value)) {
        socket.leave(room.value);
        socket
          .to(room.value)
          .emit("presence", { event: "leave", room: room.value, name: from, time: now() });
      }
      reply(ack, { ok: true, room: room.value, rooms: joinedRooms(socket) });
    });

    socket.on("message", (payload: unknown, ack: unknown) => {
      const { room: roomArg, text: textArg } = (payload ?? {}) as Record<string, unknown>;
      const room = checkRoom(roomArg);
      if (!room.ok) return reply(ack, room);
      const text = checkText(textArg, options.maxTextLength);
      if (!text.ok) return reply(ack, text);
      const recipients = othersIn(socket, room.value);
      socket
        .to(room.value)
        .emit("message", { room: room.value, from, text: text.value, time: now() });
      reply(ack, { ok: true, room: room.value, recipients });
    });

    socket.on("broadcast", (payload: unknown, ack: unknown) => {
      const request = (payload ?? {}) as Record<string, unknown>;
      const text = checkText(request.text, options.maxTextLength);
      if (!text.ok) return reply(ack, text);
      const scope = request.scope as BroadcastScope;
      if (!BROADCAST_SCOPES.includes(scope)) {
        return reply(
          ack,
          fail("INVALID_SCOPE", `scope must be one of: ${BROADCAST_SCOPES.join(", ")}`),
        );
      }
      const base = { scope, from, text: text.value, time: now() };
      const quote = (room: string) => JSON.stringify(room);

      if (scope === "all") {
        const call = 'io.of("/chat").emit("broadcast", …)';
        chat.emit("broadcast", { ...base, call });
        return reply(ack, { ok: true, scope, call });
      }
      if (scope === "others") {
        const call = 'socket.broadcast.emit("broadcast", …)';
        socket.broadcast.emit("broadcast", { ...base, call });
        return reply(ack, { ok: true, scope, call });
      }
      if (scope === "union") {
        const rooms = Array.isArray(request.rooms) ? request.rooms : [];
        if (rooms.length < 2 || rooms.length > 5) {
          return reply(ack, fail("INVALID_ROOMS", "union needs `rooms`: an array of 2-5 rooms"));
        }
        const checked: string[] = [];
        for (const value of rooms) {
          const room = checkRoom(value);
          if (!room.ok) return reply(ack, room);
          checked.push(room.value);
        }
        const call = `io.of("/chat")${checked.map((room) => `.to(${quote(room)})`).join("")}.emit("broadcast", …)`;
        const target = checked
          .slice(1)
          .reduce((operator, room) => operator.to(room), chat.to(checked[0]));
        target.emit("broadcast", { ...base, rooms: checked, call });
        return reply(ack, { ok: true, scope, rooms: checked, call });
      }

      const room = checkRoom(request.room);
      if (!room.ok) return reply(ack, room);
      const r = quote(room.value);
      const calls = {
        room: `io.of("/chat").to(${r}).emit("broadcast", …)`,
        "room-others": `socket.to(${r}).emit("broadcast", …)`,
        except: `io.of("/chat").except(${r}).emit("broadcast", …)`,
      } as const;
      const call = calls[scope];
      const target =
        scope === "room"
          ? chat.to(room.value)
          : scope === "room-others"
            ? socket.to(room.value)
            : chat.except(room.value);
      target.emit("broadcast", { ...base, room: room.value, call });
      reply(ack, { ok: true, scope, room: room.value, call });
    });
  });
}
