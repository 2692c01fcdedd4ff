import type { Duplex } from "node:stream";
import {
  FrameParser,
  OPCODE_BINARY,
  OPCODE_PONG,
  OPCODE_TEXT,
  encodeCloseFrame,
  encodeFrame,
  type ParsedMessage,
} from "../../src/protocol/index.ts";

export interface RawConnectionOptions {
  /** Largest message accepted (1009 above it). */
  maxMessageSize: number;
  /** How long to wait for the peer's close frame / TCP close after we sent ours. Default 5 s. */
  closeTimeoutMs?: number;
}

/**
 * One connection of `/ws/raw` after the `101`: every byte goes through the
 * streaming parser of `src/protocol/` (role server, so frames must be
 * masked), and every reply is built by its encoder.
 */
export class RawConnection {
  private readonly socket: Duplex;
  private readonly parser: FrameParser;
  private readonly closeTimeoutMs: number;
  private closeSent = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(socket: Duplex, options: RawConnectionOptions) {
    this.socket = socket;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.parser = new FrameParser({
      role: "server",
      maxMessageSize: options.maxMessageSize,
      trace: false,
      decodeText: false,
    });
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    // The peer half-closed (FIN) without a close frame: finish our side too.
    socket.on("end", () => this.socket.end());
    socket.on("error", () => this.socket.destroy());
    socket.on("close", () => clearTimeout(this.closeTimer));
  }

  /** Feeds bytes that arrived with the handshake or from the socket. */
  receive(chunk: Uint8Array): void {
    if (this.closeSent || chunk.length === 0) return;
    // The parser keeps views of the chunks it is given: Node hands out a fresh buffer per read.
    const out = this.parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    for (const message of out.messages) {
      this.handle(message);
      if (this.closeSent) return;
    }
    if (out.error) {
      // §7.1.7 "Fail the WebSocket Connection": send the close code the error maps to, then close TCP.
      this.sendClose(out.error.closeCode, out.error.code);
    }
  }

  private handle(message: ParsedMessage): void {
    switch (message.type) {
      case "text":
        this.write(encodeFrame({ opcode: OPCODE_TEXT, payload: message.data }));
        return;
      case "binary":
        this.write(encodeFrame({ opcode: OPCODE_BINARY, payload: message.data }));
        return;
      case "ping":
        // §5.5.3: a pong carries the ping's application data.
        this.write(encodeFrame({ opcode: OPCODE_PONG, payload: message.data }));
        return;
      case "pong":
        return;
      case "close": {
        // §5.5.1: answer with a close frame, echoing the status code (1000 when the peer sent none).
        const reason =
          message.closeCode === undefined ? "" : Buffer.from(message.data.subarray(2)).toString();
        this.sendClose(message.closeCode ?? 1000, reason);
        return;
      }
    }
  }

  private sendClose(code: number, reason: string): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.write(encodeCloseFrame({ code, reason }));
    // §7.1.1: the server closes the TCP connection first.
    this.socket.end();
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
    this.closeTimer.unref();
  }

  /** Closes with 1001 (server shutting down). */
  goingAway(): void {
    this.sendClose(1001, "server shutting down");
  }

  private write(bytes: Uint8Array): void {
    if (this.socket.writable) this.socket.write(bytes);
  }
}
