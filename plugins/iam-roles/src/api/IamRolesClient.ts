import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AccessRequest,
  AssumableRolesResponse,
  AuditEntry,
  BrokerInfo,
  CreateAccessRequest,
  Grant,
  IssuedCredentials,
  ListPage,
  RequestOptions,
  RoleFinding,
  RoleInventoryPage,
  RoleTrustView,
  FirstTrustAccess,
  RoleTrustHistory,
  TrustSubscription,
  TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';
import type {
  IamRolesApi,
  ListTrustChangesOptions,
  ListFindingsOptions,
  ListRolesOptions,
  ListGrantsOptions,
  ListRequestsOptions,
  PageOptions,
} from './IamRolesApi';

type Query = Record<string, string | number | boolean | undefined>;

/** Default {@link IamRolesApi}: calls the backend through the discovery and fetch APIs. */
export class IamRolesClient implements IamRolesApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  private constructor(deps: {
    discoveryApi: DiscoveryApi;
    fetchApi: FetchApi;
  }) {
    this.discoveryApi = deps.discoveryApi;
    this.fetchApi = deps.fetchApi;
  }

  static create(deps: {
    discoveryApi: DiscoveryApi;
    fetchApi: FetchApi;
  }): IamRolesClient {
    return new IamRolesClient(deps);
  }

  getBrokerInfo(): Promise<BrokerInfo> {
    return this.get('/config');
  }

  getRoleTrust(entityRef: string): Promise<RoleTrustView> {
    return this.get('/roles/trust', { entityRef });
  }

  getAssumableRoles(entityRef: string): Promise<AssumableRolesResponse> {
    return this.get('/assumable', { entityRef });
  }

  lookup(query: string): Promise<AssumableRolesResponse> {
    return this.get('/lookup', { q: query });
  }

  listRoles(
    options: ListRolesOptions & PageOptions = {},
  ): Promise<RoleInventoryPage> {
    return this.get('/roles', { ...options });
  }

  async exportRoles(options: ListRolesOptions = {}): Promise<string> {
    const response = await this.fetchApi.fetch(
      await this.url('/roles', { ...options, format: 'csv' }),
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.text();
  }

  listFindings(
    options: ListFindingsOptions & PageOptions = {},
  ): Promise<ListPage<RoleFinding>> {
    return this.getPage('/findings', { ...options });
  }

  createRequest(request: CreateAccessRequest): Promise<AccessRequest> {
    return this.post('/requests', request);
  }

  listRequests(
    options: ListRequestsOptions & PageOptions = {},
  ): Promise<ListPage<AccessRequest>> {
    return this.getPage('/requests', { ...options });
  }

  getRequest(id: string): Promise<AccessRequest> {
    return this.get(`/requests/${encodeURIComponent(id)}`);
  }

  approveRequest(id: string, reason?: string): Promise<AccessRequest> {
    return this.post(`/requests/${encodeURIComponent(id)}/approve`, {
      reason: reason || undefined,
    });
  }

  denyRequest(id: string, reason: string): Promise<AccessRequest> {
    return this.post(`/requests/${encodeURIComponent(id)}/deny`, { reason });
  }

  cancelRequest(id: string): Promise<AccessRequest> {
    return this.post(`/requests/${encodeURIComponent(id)}/cancel`, {});
  }

  listApprovals(options: PageOptions = {}): Promise<ListPage<AccessRequest>> {
    return this.getPage('/approvals', { ...options });
  }

  listGrants(
    options: ListGrantsOptions & PageOptions = {},
  ): Promise<ListPage<Grant>> {
    return this.getPage('/grants', { ...options });
  }

  revokeGrant(id: string, reason: string): Promise<Grant> {
    return this.post(`/grants/${encodeURIComponent(id)}/revoke`, { reason });
  }

  issueCredentials(grantId: string): Promise<IssuedCredentials> {
    return this.post(`/grants/${encodeURIComponent(grantId)}/credentials`, {});
  }

  async getAudit(roleRef?: string): Promise<AuditEntry[]> {
    const body = await this.get<unknown>('/audit', { roleRef, format: 'json' });
    // The audit trail is not paged: it answers a bare array or an `{ items }` envelope.
    const items = Array.isArray(body)
      ? body
      : (body as { items?: unknown } | undefined)?.items;
    return Array.isArray(items) ? (items as AuditEntry[]) : [];
  }

  private async url(path: string, query: Query = {}): Promise<string> {
    const base = await this.discoveryApi.getBaseUrl('iam-roles');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const qs = params.toString();
    return `${base}${path}${qs ? `?${qs}` : ''}`;
  }

  private async get<T>(path: string, query?: Query): Promise<T> {
    const response = await this.fetchApi.fetch(await this.url(path, query));
    return this.parse<T>(response);
  }

  private async getPage<T>(
    path: string,
    query: Query & PageOptions,
  ): Promise<ListPage<T>> {
    const body = await this.get<Partial<ListPage<T>> | undefined>(path, query);
    if (
      !body ||
      !Array.isArray(body.items) ||
      typeof body.totalItems !== 'number'
    ) {
      // An answer without the page fields would read as "no rows": say what is wrong instead.
      throw new Error(
        `The IAM roles backend answered GET ${path} without a list page ({ items, totalItems, offset, limit })`,
      );
    }
    return {
      items: body.items,
      totalItems: body.totalItems,
      offset: body.offset ?? query.offset ?? 0,
      limit: body.limit ?? query.limit ?? body.items.length,
    };
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const response = await this.fetchApi.fetch(await this.url(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return this.parse<T>(response);
  }

  private async parse<T>(response: Response): Promise<T> {
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  getRequestOptions(role: string): Promise<RequestOptions> {
    return this.get('/request-options', { role });
  }

  extendGrant(
    grantId: string,
    body: { durationMinutes: number; justification: string },
  ): Promise<AccessRequest> {
    return this.post(`/grants/${encodeURIComponent(grantId)}/extend`, body);
  }

  releaseGrant(grantId: string, reason?: string): Promise<Grant> {
    return this.post(`/grants/${encodeURIComponent(grantId)}/release`, {
      reason: reason || undefined,
    });
  }

  breakGlass(body: {
    roleRef: string;
    justification: string;
    incident: string;
    durationMinutes?: number;
  }): Promise<AccessRequest> {
    return this.post('/break-glass', body);
  }

  listReviews(options: PageOptions = {}): Promise<ListPage<Grant>> {
    return this.getPage('/reviews', { ...options });
  }

  reviewGrant(grantId: string, note: string): Promise<Grant> {
    return this.post(`/grants/${encodeURIComponent(grantId)}/review`, {
      note,
    });
  }

  getRoleTrustHistory(entityRef: string): Promise<RoleTrustHistory> {
    return this.get('/trust-history/roles', { entityRef });
  }

  listTrustChanges(
    options: ListTrustChangesOptions & PageOptions = {},
  ): Promise<ListPage<TrustVersion>> {
    return this.getPage('/trust-history/changes', { ...options });
  }

  getFirstTrustAccess(
    entityRef: string,
    principal: string,
  ): Promise<FirstTrustAccess> {
    return this.get('/trust-history/first-access', { entityRef, principal });
  }

  async exportTrustHistory(
    what: { entityRef: string } | ListTrustChangesOptions,
    format: 'csv' | 'jsonl',
  ): Promise<string> {
    const path =
      'entityRef' in what ? '/trust-history/roles' : '/trust-history/changes';
    const response = await this.fetchApi.fetch(
      await this.url(path, { ...what, format, limit: 1000 }),
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.text();
  }

  async listTrustSubscriptions(): Promise<TrustSubscription[]> {
    const body = await this.get<{ items: TrustSubscription[] }>(
      '/trust-history/subscriptions',
    );
    return body.items;
  }

  subscribeToTrustChanges(roleRef: string): Promise<TrustSubscription> {
    return this.post('/trust-history/subscriptions', { roleRef });
  }

  async unsubscribeFromTrustChanges(
    roleRef: string,
  ): Promise<TrustSubscription[]> {
    const response = await this.fetchApi.fetch(
      await this.url('/trust-history/subscriptions', { roleRef }),
      { method: 'DELETE' },
    );
    return (await this.parse<{ items: TrustSubscription[] }>(response)).items;
  }
}
