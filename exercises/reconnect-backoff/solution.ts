export interface BackoffOptions {
  /** Delay ceiling of attempt 0, in ms. */
  baseMs: number;
  /** Largest ceiling, in ms. */
  maxMs: number;
  /** Returns a number in [0, 1), like Math.random. */
  random: () => number;
}

/** How long to wait before reconnection attempt `attempt` (0, 1, 2, …), in ms. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  // TODO: exponential ceiling, capped at maxMs, times random(), rounded down.
  return options.baseMs;
}
