import { WebSocket, WebSocketServer } from "ws";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

type Command =
  { type: "join" | "leave"; room: string } | { type: "message"; room: string; text: string };

function parseCommand(text: string): Command | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "invalid JSON";
  }
  const command = value as Record<string, unknown> | null;
  if (typeof command !== "object" || command === null) return "expected a JSON object";
  if (typeof command.room !== "string") return '"room" must be a string';
  if (command.type === "join" || command.type === "leave")
    return { type: command.type, room: command.room };
  if (command.type === "message") {
    if (typeof command.text !== "string") return '"text" must be a string';
    return { type: "message", room: command.room, text: command.text };
  }
  return `unknown type ${JSON.stringify(command.type)}`;
}

/** Rooms over a JSON protocol: join, leave, message (see the instructions). */
export function startRoomServer(): Promise<RunningServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const rooms = new Map<string, Set<WebSocket>>();

  const leave = (socket: WebSocket, room: string) => {
    const members = rooms.get(room);
    members?.delete(socket);
    if (members?.size === 0) rooms.delete(room);
  };

  server.on("connection", (socket) => {
    const reply = (message: object) => socket.send(JSON.stringify(message));
    socket.on("message", (data) => {
      const command = parseCommand(data.toString());
      if (typeof command === "string") return reply({ type: "error", error: command });
      const room = command.room;
      if (command.type === "join") {
        if (!rooms.has(room)) rooms.set(room, new Set());
        rooms.get(room)!.add(socket);
        return reply({ type: "joined", room });
      }
      if (command.type === "leave") {
        leave(socket, room);
        return reply({ type: "left", room });
      }
      if (command.type !== "message") return;
      const members = rooms.get(room);
      if (!members?.has(socket)) return reply({ type: "error", error: `not in room ${room}` });
      const out = JSON.stringify({ type: "message", room, text: command.text });
      for (const member of members) {
        if (member !== socket && member.readyState === WebSocket.OPEN) member.send(out);
      }
    });
    socket.on("close", () => {
      for (const room of [...rooms.keys()]) leave(socket, room);
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address();
      if (typeof address !== "object" || address === null)
        throw new Error("not listening on a TCP port");
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}
