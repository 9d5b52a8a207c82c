/** Timing helpers shared by the benchmarks. */

/** The median of some measurements. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `fn` once and says how long it took. */
export function time<T>(fn: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

/** The fastest of `n` runs: the run least disturbed by the rest of the machine. */
export function bestOf<T>(n: number, fn: () => T): { ms: number; result: T } {
  let best = time(fn);
  for (let i = 1; i < n; i++) {
    const t = time(fn);
    if (t.ms < best.ms) best = t;
  }
  return best;
}
