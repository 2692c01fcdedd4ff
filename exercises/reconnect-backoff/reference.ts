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
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.floor(options.random() * ceiling);
}
