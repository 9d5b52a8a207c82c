import { createApiRef } from '@backstage/core-plugin-api';
import type {
  AccessRequest,
  AccessRequestStatus,
  AssumableRolesResponse,
  AuditEntry,
  BrokerInfo,
  CreateAccessRequest,
  Grant,
  GrantStatus,
  IssuedCredentials,
  ListPage,
  RequestOptions,
  RoleFinding,
  RoleInventoryPage,
  RoleInventoryPreset,
  RoleTrustView,
  Severity,
  FirstTrustAccess,
  RoleTrustHistory,
  TrustSubscription,
  TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';

/** The page of a list call: at most `limit` rows (the broker takes up to 500) from `offset`. */
export interface PageOptions {
  limit?: number;
  offset?: number;
}

/** Filters of `GET /requests`. */
export interface ListRequestsOptions {
  mine?: boolean;
  roleRef?: string;
  status?: AccessRequestStatus;
}

/** Filters of `GET /grants`. */
export interface ListGrantsOptions {
  mine?: boolean;
  roleRef?: string;
  status?: GrantStatus;
}

/** Filters of `GET /findings`. */
export interface ListFindingsOptions {
  owner?: string;
  severity?: Severity;
}

/** Filters of `GET /roles`, the inventory; they combine. */
export interface ListRolesOptions {
  /** Words in the role's name, title or ARN. */
  q?: string;
  owner?: string;
  /** A 12-digit account id. */
  account?: string;
  /** The minimum severity of the role's worst finding. */
  severity?: Severity;
  preset?: RoleInventoryPreset;
}

/** Client of the IAM roles backend (`/api/iam-roles`). */
export interface IamRolesApi {
  /** The inventory of every role: one page with the facets of the whole index. */
  listRoles(
    options?: ListRolesOptions & PageOptions,
  ): Promise<RoleInventoryPage>;
  /** Every role matching the filters as CSV. */
  exportRoles(options?: ListRolesOptions): Promise<string>;
  getBrokerInfo(): Promise<BrokerInfo>;
  getRoleTrust(entityRef: string): Promise<RoleTrustView>;
  getAssumableRoles(entityRef: string): Promise<AssumableRolesResponse>;
  lookup(query: string): Promise<AssumableRolesResponse>;
  listFindings(
    options?: ListFindingsOptions & PageOptions,
  ): Promise<ListPage<RoleFinding>>;
  createRequest(request: CreateAccessRequest): Promise<AccessRequest>;
  listRequests(
    options?: ListRequestsOptions & PageOptions,
  ): Promise<ListPage<AccessRequest>>;
  getRequest(id: string): Promise<AccessRequest>;
  approveRequest(id: string, reason?: string): Promise<AccessRequest>;
  denyRequest(id: string, reason: string): Promise<AccessRequest>;
  cancelRequest(id: string): Promise<AccessRequest>;
  listApprovals(options?: PageOptions): Promise<ListPage<AccessRequest>>;
  listGrants(
    options?: ListGrantsOptions & PageOptions,
  ): Promise<ListPage<Grant>>;
  revokeGrant(id: string, reason: string): Promise<Grant>;
  issueCredentials(grantId: string): Promise<IssuedCredentials>;
  getAudit(roleRef?: string): Promise<AuditEntry[]>;
  /** What the caller can ask for on a role: requestable or why not, approvers, durations, break-glass, their open request or grant. */
  getRequestOptions(role: string): Promise<RequestOptions>;
  /** The holder asks to move the end of an active grant (a pending extension request). */
  extendGrant(
    grantId: string,
    body: { durationMinutes: number; justification: string },
  ): Promise<AccessRequest>;
  /** The holder ends their own grant early. */
  releaseGrant(grantId: string, reason?: string): Promise<Grant>;
  /** Immediate access on a role that allows break-glass; reviewed by its owners afterwards. */
  breakGlass(body: {
    roleRef: string;
    justification: string;
    incident: string;
    durationMinutes?: number;
  }): Promise<AccessRequest>;
  /** Break-glass grants waiting for the caller's review. */
  listReviews(options?: PageOptions): Promise<ListPage<Grant>>;
  /** Records the review of a break-glass grant. */
  reviewGrant(grantId: string, note: string): Promise<Grant>;
  /** A role's trust history, newest version first (#14). */
  getRoleTrustHistory(entityRef: string): Promise<RoleTrustHistory>;
  /** Trust changes across roles: those that brought a critical or high finding first, then newest first. */
  listTrustChanges(
    options?: ListTrustChangesOptions & PageOptions,
  ): Promise<ListPage<TrustVersion>>;
  /** Since when a principal can assume a role, by its recorded versions. */
  getFirstTrustAccess(
    entityRef: string,
    principal: string,
  ): Promise<FirstTrustAccess>;
  /** A trust history export as text: CSV or JSON lines. */
  exportTrustHistory(
    what: { entityRef: string } | ListTrustChangesOptions,
    format: 'csv' | 'jsonl',
  ): Promise<string>;
  listTrustSubscriptions(): Promise<TrustSubscription[]>;
  subscribeToTrustChanges(roleRef: string): Promise<TrustSubscription>;
  unsubscribeFromTrustChanges(roleRef: string): Promise<TrustSubscription[]>;
}

/** Filters of `GET /trust-history/changes`. */
export interface ListTrustChangesOptions {
  /** ISO 8601: only changes seen since. */
  since?: string;
  owner?: string;
  /** Only changes that brought a finding at least this severe. */
  severity?: Severity;
}

/** API reference of {@link IamRolesApi}. */
export const iamRolesApiRef = createApiRef<IamRolesApi>({
  id: 'plugin.iam-roles.client',
});
