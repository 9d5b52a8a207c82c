import { http, HttpResponse } from 'msw';
import type {
  AccessRequest,
  AssumableRolesResponse,
  AuditEntry,
  BrokerInfo,
  Grant,
  ListPage,
  RequestOptions,
  RoleTrustView,
  RoleInventoryPage,
} from '@backstage-iam/plugin-iam-roles-common';
import { BASE, brokerInfo, trustView } from './fixtures';

/** A Backstage error body, as the broker sends it. */
export function errorResponse(status: number, name: string, message: string) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/' },
      response: { statusCode: status },
    },
    { status },
  );
}

/** The broker's largest page. */
export const MAX_PAGE_LIMIT = 500;

/**
 * Answers a list call as the broker does: the `ListPage` of `rows` that the request's `limit`
 * (default and at most 500) and `offset` ask for; a 400 for a limit out of range.
 */
export function listPage<T>(request: Request, rows: readonly T[]) {
  const params = new URL(request.url).searchParams;
  const limit = Number(params.get('limit') ?? MAX_PAGE_LIMIT);
  const offset = Number(params.get('offset') ?? 0);
  if (
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_PAGE_LIMIT ||
    !Number.isInteger(offset) ||
    offset < 0
  ) {
    return errorResponse(
      400,
      'InputError',
      `limit must be 1 to ${MAX_PAGE_LIMIT} and offset 0 or more`,
    );
  }
  const page: ListPage<T> = {
    items: rows.slice(offset, offset + limit),
    totalItems: rows.length,
    offset,
    limit,
  };
  return HttpResponse.json(page);
}

/** Handlers for a quiet broker: no requests, no grants; override what a test needs. */
/** `GET /roles` of an index with no role yet. */
export const emptyInventory: RoleInventoryPage = {
  items: [],
  totalItems: 0,
  offset: 0,
  limit: 500,
  facets: {
    roles: 0,
    accounts: [],
    owners: [],
    severities: [],
    presets: { exposed: 0, unused: 0, critical: 0 },
  },
  index: { roles: 0, builtAt: '2026-12-01T00:00:00.000Z' },
};

/**
 * `GET /lookup?q=ARN` as the broker answers it: `answer` (its `query` and `principals` those of
 * the ARN asked), by default nothing that trusts the ARN in an index that holds roles. Other
 * queries (a repository, an Identity Center group …) fall through to the test's own handler.
 */
export function lookupHandler(
  answer: Partial<AssumableRolesResponse> = {},
  onAsked?: (q: string) => void,
) {
  return http.get(`${BASE}/lookup`, ({ request }) => {
    const q = new URL(request.url).searchParams.get('q') ?? '';
    if (!q.startsWith('arn:')) {
      return undefined;
    }
    onAsked?.(q);
    const found: AssumableRolesResponse = {
      query: q,
      principals: [{ type: 'arn', arn: q }],
      roles: [],
      chains: [],
      index: { roles: 12, builtAt: '2026-12-01T00:00:00.000Z' },
      ...answer,
    };
    return HttpResponse.json(found);
  });
}

export function brokerHandlers(
  options: {
    info?: BrokerInfo;
    trust?: RoleTrustView;
    myRequests?: AccessRequest[];
    approvals?: AccessRequest[];
    grants?: Grant[];
    audit?: AuditEntry[];
  } = {},
) {
  return [
    http.get(`${BASE}/config`, () =>
      HttpResponse.json(options.info ?? brokerInfo),
    ),
    http.get(`${BASE}/roles/trust`, () =>
      HttpResponse.json(options.trust ?? trustView()),
    ),
    http.get(`${BASE}/requests`, ({ request }) =>
      listPage(request, options.myRequests ?? []),
    ),
    http.get(`${BASE}/approvals`, ({ request }) =>
      listPage(request, options.approvals ?? []),
    ),
    http.get(`${BASE}/grants`, ({ request }) =>
      listPage(request, options.grants ?? []),
    ),
    http.get(`${BASE}/findings`, ({ request }) => listPage(request, [])),
    http.get(`${BASE}/roles`, () => HttpResponse.json(emptyInventory)),
    http.get(`${BASE}/audit`, () => HttpResponse.json(options.audit ?? [])),
    lookupHandler(),
    ...workflowHandlers(),
  ];
}

/** The workflow routes of a quiet broker: nothing to review, roles requestable without break-glass. */
export function workflowHandlers(
  options: { reviews?: Grant[]; requestOptions?: Partial<RequestOptions> } = {},
) {
  return [
    http.get(`${BASE}/reviews`, ({ request }) =>
      listPage(request, options.reviews ?? []),
    ),
    http.get(`${BASE}/request-options`, ({ request }) => {
      const role = new URL(request.url).searchParams.get('role') ?? '';
      const answer: RequestOptions = {
        role,
        requestable: true,
        reasons: [],
        credentials: { issuable: false, reason: 'No AWS configuration' },
        approvers: { groups: [], quorum: 1, members: [] },
        maxDurationMinutes: 480,
        defaultDurationMinutes: 60,
        breakGlass: { allowed: false },
        ...options.requestOptions,
      };
      return HttpResponse.json(answer);
    }),
    http.get(`${BASE}/trust-history/roles`, ({ request }) =>
      HttpResponse.json({
        roleRef: new URL(request.url).searchParams.get('entityRef'),
        versions: [],
      }),
    ),
    http.get(`${BASE}/trust-history/changes`, ({ request }) =>
      listPage(request, []),
    ),
    http.get(`${BASE}/trust-history/subscriptions`, () =>
      HttpResponse.json({ items: [] }),
    ),
  ];
}

/**
 * `GET /requests/:id` and `POST /requests/:id/cancel` over `requests`, which a test may change
 * to play the approvers' decision.
 */
export function requestHandlers(requests: Map<string, AccessRequest>) {
  return [
    http.get(`${BASE}/requests/:id`, ({ params }) => {
      const found = requests.get(String(params.id));
      return found
        ? HttpResponse.json(found)
        : errorResponse(404, 'NotFoundError', 'No such request');
    }),
    http.post(`${BASE}/requests/:id/cancel`, ({ params }) => {
      const found = requests.get(String(params.id));
      if (!found) {
        return errorResponse(404, 'NotFoundError', 'No such request');
      }
      const cancelled: AccessRequest = {
        ...found,
        status: 'cancelled',
        updatedAt: new Date().toISOString(),
      };
      requests.set(cancelled.id, cancelled);
      return HttpResponse.json(cancelled);
    }),
  ];
}
