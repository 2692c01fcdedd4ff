import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";

/**
 * A WebSocket endpoint served by `ws` in noServer mode under one pathname.
 * The sandbox server performs the upgrade and hands over the open socket.
 */
export interface WebSocketEndpoint {
  /** Options for this endpoint's `WebSocketServer` (default `maxPayload`: 64 KiB). */
  maxPayload?: number;
  /**
   * Checked before the handshake: return a refusal to answer the upgrade with
   * that HTTP status instead (e.g. 401 without a token, 403 for a foreign Origin).
   */
  authorize?(request: IncomingMessage, url: URL): UpgradeRefusal | undefined;
  /** Called once per connection, after the opening handshake. */
  onConnection(socket: WebSocket, request: IncomingMessage, url: URL): void;
}

export interface UpgradeRefusal {
  status: number;
  reason: string;
}

/**
 * A raw upgrade handler for endpoints that do their own handshake (`/ws/raw`).
 * Takes ownership of the socket.
 */
export type RawUpgradeHandler = (
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
) => void;

/**
 * One part of the sandbox server (demos, grading, class mode...). The server
 * composes features; a feature never imports the server.
 */
export interface ServerFeature {
  name: string;
  /** Handle an HTTP request; resolve `true` when it answered the request. */
  handleRequest?(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): boolean | Promise<boolean>;
  /** WebSocket endpoints by pathname (e.g. `"/ws/echo"`), run on `ws`. */
  webSockets?: Record<string, WebSocketEndpoint>;
  /** Upgrades this feature handles itself, by pathname. */
  rawUpgrades?: Record<string, RawUpgradeHandler>;
  /** Called once the HTTP server exists (e.g. to attach Socket.IO). */
  attach?(server: Server, context: FeatureContext): void;
  /** Lines printed at start-up (e.g. which sandbox limits are in force). */
  describe?(): string[];
  /** Release resources; called on shutdown. */
  close?(): Promise<void>;
}

export interface FeatureContext {
  /** The `ws` servers the sandbox created, so shutdown can close them with 1001. */
  webSocketServers: WebSocketServer[];
}
