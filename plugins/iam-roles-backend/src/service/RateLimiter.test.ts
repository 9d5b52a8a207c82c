import { RateLimiter } from './RateLimiter';

describe('RateLimiter', () => {
  const t0 = new Date('2026-12-03T10:00:00.000Z');
  const at = (seconds: number) =>
    new Date(t0.getTime() + seconds * 1000).toISOString();

  it('allows up to the limit inside the window', () => {
    const limiter = RateLimiter.create({ max: 3, windowSeconds: 60 });
    expect(limiter.decide([], t0)).toEqual({ ok: true });
    expect(limiter.decide([at(-1), at(-2)], t0)).toEqual({ ok: true });
  });

  it('says when the oldest counted request slides out of the window', () => {
    const limiter = RateLimiter.create({ max: 3, windowSeconds: 60 });
    // newest first: the third newest was made 50 s ago, so a slot frees in 10 s
    expect(limiter.decide([at(-1), at(-20), at(-50)], t0)).toEqual({
      ok: false,
      retryAfterSeconds: 10,
    });
    // never less than one second
    expect(limiter.decide([at(-1), at(-2), at(-59.9)], t0)).toEqual({
      ok: false,
      retryAfterSeconds: 1,
    });
  });

  it('counts from the window start it gives the store', () => {
    const limiter = RateLimiter.create({ max: 2, windowSeconds: 600 });
    expect(limiter.windowStart(t0)).toBe('2026-12-03T09:50:00.000Z');
  });

  it('refuses a limit that cannot work', () => {
    expect(() => RateLimiter.create({ max: 0, windowSeconds: 60 })).toThrow(
      /maxRequests must be a whole number of at least 1/,
    );
    expect(() => RateLimiter.create({ max: 2, windowSeconds: 0 })).toThrow(
      /windowSeconds must be positive/,
    );
  });
});
