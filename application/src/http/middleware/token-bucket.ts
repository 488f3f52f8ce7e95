import type { RateLimitConfig } from '../../config';

/** The outcome of asking for one token: allowed, or how long until one is available. */
export type TakeResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * One token bucket per key: `burst` tokens at most, refilled continuously at `perSecond`. Lets a
 * client burst briefly and caps its sustained rate, without a timer per key.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.config.burst, updatedMs: now };
    bucket.tokens = Math.min(
      this.config.burst,
      bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.config.perSecond,
    );
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.config.perSecond)) };
  }
}
