import { HttpResponse } from 'msw';

/** An error an AWS fake serves instead of an answer. */
export type AwsFault = 'throttle' | 'denied' | 'internal';

interface FaultRule {
  op: string;
  fault: AwsFault;
  /** 0-based page index (by NextToken) for paginated calls; any page when absent. */
  page?: number;
  /** Only requests about this (an account id, a cluster name…). */
  scope?: string;
  times: number;
}

/** Injected faults and call counts, shared by the AWS fakes. */
export class FaultBook {
  private rules: FaultRule[] = [];
  readonly calls = new Map<string, number>();

  fail(rule: Omit<FaultRule, 'times'> & { times?: number }) {
    this.rules.push({ ...rule, times: rule.times ?? Infinity });
  }

  clear() {
    this.rules = [];
    this.calls.clear();
  }

  count(op: string) {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
  }

  callCount(op?: string): number {
    return op
      ? this.calls.get(op) ?? 0
      : [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  take(op: string, page: number, scopes: string[]): AwsFault | undefined {
    for (const rule of this.rules) {
      if (
        rule.op === op &&
        rule.times > 0 &&
        (rule.page === undefined || rule.page === page) &&
        (rule.scope === undefined || scopes.includes(rule.scope))
      ) {
        rule.times -= 1;
        return rule.fault;
      }
    }
    return undefined;
  }
}

/** The account a request was signed for, by the fake credentials' access key (see fakeIam). */
export function accountOfRequest(request: Request): string {
  return (
    /Credential=AKIDTEST(\d{12})\//.exec(
      request.headers.get('authorization') ?? '',
    )?.[1] ?? 'unknown'
  );
}

/** One page of `items` by a numeric NextToken; `pageSize` small so tests cross page borders. */
export function pageOf<T>(
  items: T[],
  token: string | undefined,
  pageSize: number,
): { slice: T[]; next?: string; index: number } {
  const offset = token ? Number(token.replace(/^t-/, '')) : 0;
  const slice = items.slice(offset, offset + pageSize);
  const next =
    offset + pageSize < items.length ? `t-${offset + pageSize}` : undefined;
  return { slice, next, index: Math.floor(offset / pageSize) };
}

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

/** A JSON 1.1 protocol answer. */
export function json11(body: unknown): Response {
  return HttpResponse.json(body as Record<string, unknown>, {
    headers: JSON_11,
  });
}

/** A JSON 1.1 protocol error (`__type` names the modelled exception). */
export function json11Error(
  fault: AwsFault,
  throttleType: string,
  message?: string,
): Response {
  const type = {
    throttle: throttleType,
    denied: 'AccessDeniedException',
    internal: 'InternalServerException',
  }[fault];
  return HttpResponse.json(
    {
      __type: type,
      message:
        message ??
        {
          throttle: 'Rate exceeded',
          denied: 'User is not authorized to perform this action',
          internal: 'Internal failure',
        }[fault],
    },
    { status: fault === 'internal' ? 500 : 400, headers: JSON_11 },
  );
}

/** A JSON 1.1 ValidationException, for requests the real API would refuse. */
export function json11Invalid(message: string): Response {
  return HttpResponse.json(
    { __type: 'ValidationException', message },
    { status: 400, headers: JSON_11 },
  );
}
