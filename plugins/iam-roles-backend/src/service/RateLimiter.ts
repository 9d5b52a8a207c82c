/**
 * A per-key limit over a sliding window, in memory (one backend instance; a restart forgives).
 * The window is approximated from two fixed windows (the current count plus the previous count
 * weighted by how much of it still overlaps), so each check is O(1) whatever the limit.
 */
export class RateLimiter {
  private readonly windows = new Map<
    string,
    { start: number; current: number; previous: number }
  >();

  private constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  static create(options: { max: number; windowSeconds: number }): RateLimiter {
    return new RateLimiter(options.max, options.windowSeconds * 1000);
  }

  private windowOf(key: string, now: number) {
    const start = now - (now % this.windowMs);
    let w = this.windows.get(key);
    if (!w) {
      w = { start, current: 0, previous: 0 };
      this.windows.set(key, w);
    } else if (w.start !== start) {
      w.previous = start - w.start === this.windowMs ? w.current : 0;
      w.current = 0;
      w.start = start;
    }
    return w;
  }

  /** Takes one slot for the key; returns the seconds to wait when none is left. */
  take(
    key: string,
    now = Date.now(),
  ): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const w = this.windowOf(key, now);
    const overlap = 1 - (now - w.start) / this.windowMs;
    const used = w.current + w.previous * overlap;
    if (used + 1 > this.max) {
      // Wait until enough of the previous window has slid out, or the next window starts.
      const excess = used + 1 - this.max;
      const waitMs =
        w.previous > 0 && excess <= w.previous * overlap
          ? (excess / w.previous) * this.windowMs
          : w.start + this.windowMs - now;
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      };
    }
    w.current += 1;
    return { ok: true };
  }

  /** Gives a slot back (an idempotent replay or a refused request does not count). */
  giveBack(key: string): void {
    const w = this.windows.get(key);
    if (w && w.current > 0) {
      w.current -= 1;
    }
  }
}
