import type {
  AccessRequestStatus,
  AuditEntry,
  GrantStatus,
} from '@backstage-iam/plugin-iam-roles-common';
import type { StoredGrant, StoredRequest } from './BrokerStore';

/** The tables of the broker (see `migrations/`). */
export const REQUESTS = 'iam_access_requests';
export const APPROVALS = 'iam_approvals';
export const GRANTS = 'iam_grants';
export const AUDIT = 'iam_audit_log';

/** A row of `iam_access_requests`. */
export type RequestRow = {
  id: string;
  role_ref: string;
  role_arn: string;
  owner_ref: string;
  requester: string;
  justification: string;
  duration_minutes: number;
  ticket: string | null;
  status: AccessRequestStatus;
  required_approvals: number;
  version: number;
  created_at: string;
  updated_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
  idempotency_key: string | null;
  kind: RequestKind;
  extends_grant_id: string | null;
  approver_groups: string | null;
};

/** What a request asks for: access, an extension of a grant, or break-glass access. */
export type RequestKind = 'access' | 'extension' | 'break-glass';

/** A row of `iam_grants`. */
export type GrantRow = {
  id: string;
  request_id: string;
  role_ref: string;
  role_arn: string;
  owner_ref: string;
  user_ref: string;
  status: GrantStatus;
  approvers: string;
  granted_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  credentials_issued: number;
  last_issued_at: string | null;
  break_glass: boolean | number;
  reviewed_at: string | null;
  reviewed_by: string | null;
  review_note: string | null;
  extensions: number;
};

/** The columns of {@link GrantRow}, for selecting a grant beside a request. */
export const GRANT_COLUMNS = [
  'id',
  'request_id',
  'role_ref',
  'role_arn',
  'owner_ref',
  'user_ref',
  'status',
  'approvers',
  'granted_at',
  'expires_at',
  'revoked_at',
  'revoked_by',
  'revoke_reason',
  'credentials_issued',
  'last_issued_at',
  'break_glass',
  'reviewed_at',
  'reviewed_by',
  'review_note',
  'extensions',
] as const satisfies ReadonlyArray<keyof GrantRow>;

/** A row of `iam_approvals`. */
export type ApprovalRow = {
  request_id: string;
  approver: string;
  reason: string | null;
  at: string;
};

/** A row of `iam_audit_log`. */
export type AuditRow = {
  seq?: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  request_id: string | null;
  grant_id: string | null;
  role_ref: string | null;
  owner_ref: string | null;
  from_state: string | null;
  to_state: string | null;
  reason: string | null;
};

/** A request row, its approvals and grant, as the broker sees them. */
export function toRequest(
  row: RequestRow,
  approvals: ApprovalRow[],
  grant?: StoredGrant,
): StoredRequest {
  return {
    id: row.id,
    roleRef: row.role_ref,
    roleArn: row.role_arn,
    ownerRef: row.owner_ref,
    requester: row.requester,
    justification: row.justification,
    durationMinutes: Number(row.duration_minutes),
    ticket: row.ticket ?? undefined,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    requiredApprovals: Number(row.required_approvals),
    approvals: approvals.map(a => ({
      approver: a.approver,
      reason: a.reason ?? undefined,
      at: a.at,
    })),
    decidedAt: row.decided_at ?? undefined,
    decidedBy: row.decided_by ?? undefined,
    decisionReason: row.decision_reason ?? undefined,
    grant,
    kind: row.kind ?? 'access',
    extendsGrantId: row.extends_grant_id ?? undefined,
    approverGroups: row.approver_groups
      ? JSON.parse(row.approver_groups)
      : undefined,
  };
}

/** A grant row as the broker sees it. */
export function toGrant(row: GrantRow): StoredGrant {
  return {
    id: row.id,
    requestId: row.request_id,
    roleRef: row.role_ref,
    roleArn: row.role_arn,
    user: row.user_ref,
    status: row.status,
    grantedAt: row.granted_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at ?? undefined,
    revokedBy: row.revoked_by ?? undefined,
    revokeReason: row.revoke_reason ?? undefined,
    ownerRef: row.owner_ref,
    approvers: JSON.parse(row.approvers),
    credentialsIssued: Number(row.credentials_issued),
    breakGlass: Boolean(row.break_glass) || undefined,
    reviewedAt: row.reviewed_at ?? undefined,
    reviewedBy: row.reviewed_by ?? undefined,
    reviewNote: row.review_note ?? undefined,
    extensions: Number(row.extensions ?? 0) || undefined,
  };
}

/** An audit row as the API shows it. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    // The column holds only the actions the broker writes (AuditEntry['action']).
    action: row.action as AuditEntry['action'],
    requestId: row.request_id ?? undefined,
    grantId: row.grant_id ?? undefined,
    roleRef: row.role_ref ?? undefined,
    fromState: row.from_state ?? undefined,
    toState: row.to_state ?? undefined,
    reason: row.reason ?? undefined,
  };
}
