/**
 * Reconnection delays: exponential backoff with a cap and optional full
 * jitter. Pure (the random source is injected), shared by `<ReconnectLab>`
 * and its tests.
 */

export type Jitter = "full" | "none";

export interface BackoffPolicy {
  /** Delay ceiling of the first retry (attempt 0), in ms. */
  baseMs: number;
  /** No delay is ever longer than this, in ms. */
  maxMs: number;
  /** "full": a random delay between 0 and the ceiling; "none": the ceiling itself. */
  jitter: Jitter;
}

/** The ceiling for retry `attempt` (0, 1, 2…): `min(maxMs, baseMs × 2^attempt)`. */
export function backoffCeiling(
  attempt: number,
  policy: Pick<BackoffPolicy, "baseMs" | "maxMs">,
): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  return Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
}

/** The delay before retry `attempt`: `floor(random() × ceiling)` with full jitter, else the ceiling. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeiling(attempt, policy);
  return policy.jitter === "full" ? Math.floor(random() * ceiling) : ceiling;
}

/**
 * When each of `clients` clients makes its retries 0…`attempts - 1` after
 * they all lost the connection at time 0 (each retry fails, so delays add up).
 * Returns `times[attempt][client]` in ms.
 */
export function retrySchedule(
  clients: number,
  attempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number[][] {
  const elapsed = new Array<number>(clients).fill(0);
  return Array.from({ length: attempts }, (_, attempt) =>
    elapsed.map((time, client) => (elapsed[client] = time + backoffDelay(attempt, policy, random))),
  );
}
