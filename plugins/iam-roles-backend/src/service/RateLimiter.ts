/** A sliding-window limit per key, in memory (one backend instance; a restart forgives). */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  private constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  static create(options: { max: number; windowSeconds: number }): RateLimiter {
    return new RateLimiter(options.max, options.windowSeconds * 1000);
  }

  /** Takes one slot for the key; returns the seconds to wait when none is left. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const since = now - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter(t => t > since);
    if (list.length >= this.max) {
      this.hits.set(key, list);
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((list[0] + this.windowMs - now) / 1000)),
      };
    }
    list.push(now);
    this.hits.set(key, list);
    return { ok: true };
  }

  /** Gives a slot back (an idempotent replay or a refused request does not count). */
  giveBack(key: string): void {
    const list = this.hits.get(key);
    list?.pop();
  }
}
