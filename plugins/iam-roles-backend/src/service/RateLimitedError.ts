/** Thrown when a user creates requests faster than the configured limit; the router answers 429 with `Retry-After`. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
    windowSeconds: number,
  ) {
    super(
      `You can create at most ${limit} access requests per ${Math.round(
        windowSeconds / 60,
      )} minutes; try again in ${retryAfterSeconds} seconds.`,
    );
    this.name = 'RateLimitedError';
  }
}
