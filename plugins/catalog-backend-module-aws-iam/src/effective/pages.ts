/** Counts the API calls of one dataset read, so the logs can state them. */
export class CallCounter {
  calls = 0;
}

/**
 * Every page of a NextToken-paginated call (`NextToken` in JSON 1.1 APIs, `nextToken` in EKS's REST
 * API), counting one call per page. A token that repeats ends the loop instead of spinning.
 */
export async function allPages<T extends object>(
  counter: CallCounter,
  tokenKey: 'NextToken' | 'nextToken',
  fetch: (token: string | undefined) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    counter.calls += 1;
    const page = await fetch(token);
    out.push(page);
    const next = (page as Record<string, unknown>)[tokenKey];
    token = typeof next === 'string' && next !== '' ? next : undefined;
    if (token !== undefined) {
      if (seen.has(token)) {
        throw new Error(`the API returned the page token "${token}" twice`);
      }
      seen.add(token);
    }
  } while (token !== undefined);
  return out;
}
