import { http, HttpResponse } from 'msw';
import type {
  AccessRequest,
  AuditEntry,
  BrokerInfo,
  Grant,
  RoleTrustView,
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

/** Handlers for a quiet broker: no requests, no grants; override what a test needs. */
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
    http.get(`${BASE}/requests`, () =>
      HttpResponse.json(options.myRequests ?? []),
    ),
    http.get(`${BASE}/approvals`, () =>
      HttpResponse.json(options.approvals ?? []),
    ),
    http.get(`${BASE}/grants`, () => HttpResponse.json(options.grants ?? [])),
    http.get(`${BASE}/audit`, () => HttpResponse.json(options.audit ?? [])),
  ];
}
