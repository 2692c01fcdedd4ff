/** Limits and knobs of the realtime feature (Socket.IO servers and `/ws/chat`). */
export interface RealtimeOptions {
  /**
   * Origins (`scheme://host[:port]`) allowed to open a connection. Default: unset, which
   * allows the request's own host and any `localhost` / `127.0.0.1` / `[::1]` origin.
   * Requests without an `Origin` header (non-browser clients) are always allowed.
   */
  originAllowlist?: string[];
  /** Open connections per client IP, across `/ws/chat` and both Socket.IO servers. Default 40. */
  maxConnectionsPerIp: number;
  /** Token bucket per connection: messages allowed in a burst. Default 20. */
  messageBurst: number;
  /** Token bucket per connection: sustained messages per second. Default 10. */
  messagesPerSecond: number;
  /** Largest Engine.IO payload (`maxHttpBufferSize`) in bytes. Default 64 KiB. */
  socketIoMaxPayload: number;
  /** Largest `/ws/chat` message (`maxPayload`) in bytes; above it the server closes with 1009. Default 16 KiB. */
  chatMaxPayload: number;
  /** Longest chat text in characters (Socket.IO `/chat`). Default 2000. */
  maxTextLength: number;
  /** Rooms one `/chat` socket may be in at once. Default 10. */
  maxRoomsPerSocket: number;
  /** `pingInterval` of the lab server (`/socket.io-lab/`) in ms. Default 2000. */
  labPingInterval: number;
  /** `pingTimeout` of the lab server in ms. Default 2000. */
  labPingTimeout: number;
  /** Longest window `refuse-reconnects` accepts, in ms. Default 60 000. */
  maxRefuseMs: number;
  /** Clock for rate limits and refusal windows (ms); injectable for tests. Default `Date.now`. */
  now: () => number;
}

export const DEFAULT_REALTIME_OPTIONS: RealtimeOptions = {
  maxConnectionsPerIp: 40,
  messageBurst: 20,
  messagesPerSecond: 10,
  socketIoMaxPayload: 64 * 1024,
  chatMaxPayload: 16 * 1024,
  maxTextLength: 2000,
  maxRoomsPerSocket: 10,
  labPingInterval: 2000,
  labPingTimeout: 2000,
  maxRefuseMs: 60_000,
  now: () => Date.now(),
};

export function resolveRealtimeOptions(overrides: Partial<RealtimeOptions> = {}): RealtimeOptions {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<RealtimeOptions>;
  return { ...DEFAULT_REALTIME_OPTIONS, ...defined };
}
