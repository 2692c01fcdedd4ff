import type { Socket } from "socket.io-client";
import { engineWireText, type EnginePacket } from "./demo-kit.ts";

export type WireListener = (
  direction: "in" | "out",
  wire: { text: string; binary: boolean },
  packet: EnginePacket,
) => void;

/**
 * Reports every Engine.IO packet a Socket.IO client sends or receives, across
 * reconnections (each attempt gets a new Engine.IO socket). Call the returned
 * function right after `socket.connect()` so the open packet is not missed.
 */
export function watchEngine(socket: Socket, listener: WireListener): () => void {
  const watched = new WeakSet<object>();
  const attach = () => {
    const engine = socket.io.engine;
    if (!engine || watched.has(engine)) return;
    watched.add(engine);
    engine.on("packet", (packet: EnginePacket) => listener("in", engineWireText(packet), packet));
    engine.on("packetCreate", (packet: EnginePacket) =>
      listener("out", engineWireText(packet), packet),
    );
  };
  // The Manager creates the new Engine.IO socket synchronously right after this event.
  socket.io.on("reconnect_attempt", () => queueMicrotask(attach));
  socket.io.on("open", attach);
  return attach;
}
