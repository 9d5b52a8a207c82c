import { RateLimiter } from './RateLimiter';

describe('RateLimiter', () => {
  it('allows the limit per window and says when to retry', () => {
    const limiter = RateLimiter.create({ max: 3, windowSeconds: 60 });
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);
    expect(limiter.take('a', t0).ok).toBe(true);
    expect(limiter.take('a', t0 + 1).ok).toBe(true);
    expect(limiter.take('a', t0 + 2).ok).toBe(true);
    const refused = limiter.take('a', t0 + 3);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(limiter.take('b', t0 + 3).ok).toBe(true);
    limiter.giveBack('a');
    expect(limiter.take('a', t0 + 4).ok).toBe(true);
  });

  it('slides: the previous window counts in proportion to its overlap', () => {
    const limiter = RateLimiter.create({ max: 4, windowSeconds: 100 });
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 100_000);
    for (let i = 0; i < 4; i++) {
      expect(limiter.take('a', t0 + 90_000).ok).toBe(true);
    }
    // 10 s into the next window, 90 % of the previous 4 still count: 3.6 + 1 > 4
    expect(limiter.take('a', t0 + 110_000).ok).toBe(false);
    // 80 s in, 20 % of 4 = 0.8 count: room for 3 more
    expect(limiter.take('a', t0 + 180_000).ok).toBe(true);
    expect(limiter.take('a', t0 + 180_000).ok).toBe(true);
    expect(limiter.take('a', t0 + 180_000).ok).toBe(true);
    expect(limiter.take('a', t0 + 180_000).ok).toBe(false);
    // two windows later nothing is left of the burst
    expect(limiter.take('a', t0 + 400_000).ok).toBe(true);
  });
});
