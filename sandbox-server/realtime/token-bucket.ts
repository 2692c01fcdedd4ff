/**
 * A token bucket: `capacity` messages may arrive in a burst, then `perSecond`
 * messages per second on average. Each message takes one token.
 */
export class TokenBucket {
  readonly capacity: number;
  readonly perSecond: number;
  private readonly now: () => number;
  private tokens: number;
  private updatedAt: number;

  constructor(capacity: number, perSecond: number, now: () => number) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.now = now;
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes one token; `false` when the bucket is empty (the message is over the limit). */
  take(): boolean {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The text every rate-limit refusal carries (close reason for `ws`, `message` for Socket.IO). */
export function rateLimitMessage(bucket: TokenBucket): string {
  return `rate limit: at most ${bucket.capacity} messages at once, ${bucket.perSecond} per second`;
}
