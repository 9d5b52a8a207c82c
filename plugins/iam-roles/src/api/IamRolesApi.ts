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
  RoleTrustView,
  Severity,
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

/** Client of the IAM roles backend (`/api/iam-roles`). */
export interface IamRolesApi {
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
}

/** API reference of {@link IamRolesApi}. */
export const iamRolesApiRef = createApiRef<IamRolesApi>({
  id: 'plugin.iam-roles.client',
});
