// autocannon ships no types; the bench uses this much of it.
declare module 'autocannon' {
  export interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
    amount?: number;
    /**
     * Requests each connection sends in turn. In workers mode `setupRequest` is the path of a
     * CommonJS file whose export builds the request; other fields reach it in the request object.
     */
    requests?: Array<{
      method?: string;
      path?: string;
      setupRequest?: string;
      [field: string]: unknown;
    }>;
    /** Load generation in worker threads, off the server's event loop. */
    workers?: number;
  }
  export interface Result {
    latency: { p50: number; p99: number; average: number };
    requests: { average: number; total: number; sent: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    '5xx': number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
