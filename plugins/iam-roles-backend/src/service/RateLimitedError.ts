/** Thrown when a user creates requests faster than the configured limit; the router answers 429 with `Retry-After`. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
    windowSeconds: number,
    now: Date = new Date(),
  ) {
    const at = new Date(now.getTime() + retryAfterSeconds * 1000);
    super(
      `You can create at most ${limit} access requests per ${Math.round(
        windowSeconds / 60,
      )} minutes; try again in ${retryAfterSeconds} seconds (after ${at
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z')}).`,
    );
    this.name = 'RateLimitedError';
  }
}
