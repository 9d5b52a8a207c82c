/**
 * The per-user limit on creating access requests, over an exact sliding window. It holds no state:
 * the store counts the requests the user created inside the window (the requests table is the one
 * record of them), under a per-user lock in the same transaction as the insert, so the limit holds
 * across replicas and restarts, and a replayed or refused request never counts.
 */
export class RateLimiter {
  private constructor(
    /** Requests one user may create per window. */
    readonly max: number,
    /** Window length in milliseconds. */
    readonly windowMs: number,
  ) {}

  static create(options: { max: number; windowSeconds: number }): RateLimiter {
    if (!Number.isInteger(options.max) || options.max < 1) {
      throw new Error(
        `iamRoles.broker.rateLimit.maxRequests must be a whole number of at least 1, got ${options.max}`,
      );
    }
    if (!(options.windowSeconds > 0)) {
      throw new Error(
        `iamRoles.broker.rateLimit.windowSeconds must be positive, got ${options.windowSeconds}`,
      );
    }
    return new RateLimiter(options.max, options.windowSeconds * 1000);
  }

  /** The earliest creation time (ISO 8601) that still counts at `now`. */
  windowStart(now: Date): string {
    return new Date(now.getTime() - this.windowMs).toISOString();
  }

  /**
   * Whether one more request fits, given the creation times (ISO 8601) of the user's requests inside
   * the window, newest first, at most {@link RateLimiter.max} of them.
   */
  decide(
    recent: string[],
    now: Date,
  ): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (recent.length < this.max) {
      return { ok: true };
    }
    // A slot frees when the oldest of the last `max` requests slides out of the window.
    const oldest = Date.parse(recent[this.max - 1]);
    const waitMs = oldest + this.windowMs - now.getTime();
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }
}
