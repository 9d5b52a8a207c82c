import type { RateLimiter } from '../service/RateLimiter';
import type {
  AccessRequest,
  AuditEntry,
  Grant,
} from '@backstage-iam/plugin-iam-roles-common';

/** A grant as stored, with what the broker needs beyond the API shape. */
export interface StoredGrant extends Grant {
  ownerRef: string;
  approvers: string[];
  credentialsIssued: number;
}

/** A request as stored, with the owner captured at creation. */
export interface StoredRequest extends AccessRequest {
  ownerRef: string;
}

/** Input of {@link BrokerStore.createRequest}. */
export interface NewRequest {
  roleRef: string;
  roleArn: string;
  ownerRef: string;
  requester: string;
  justification: string;
  durationMinutes: number;
  ticket?: string;
  requiredApprovals: number;
  idempotencyKey?: string;
  now: string;
  expiresAt: string;
  /** `extension`: a request to move the end of `extendsGrantId` by `durationMinutes`. */
  kind?: 'access' | 'extension';
  extendsGrantId?: string;
  /** The groups a rule named to decide the request (the owner decides otherwise). */
  approverGroups?: string[];
  /** When given, the store refuses (RateLimitedError) a request beyond the requester's limit. */
  rateLimit?: RateLimiter;
  /**
   * When given, called with the requester's open access to the role, under the same per-user lock
   * as the insert; it throws to refuse the request (no two open requests for one role, even racing).
   */
  refuseIfOpen?: (open: OpenAccess) => void;
}

/** A requester's pending access request for a role and their active, unexpired grant of it. */
export interface OpenAccess {
  request?: StoredRequest;
  grant?: StoredGrant;
}

/** Input of {@link BrokerStore.breakGlass}: a request approved by its requester at once, with its grant. */
export interface NewBreakGlass {
  roleRef: string;
  roleArn: string;
  ownerRef: string;
  requester: string;
  justification: string;
  incident: string;
  durationMinutes: number;
  approverGroups?: string[];
  now: string;
  grantExpiresAt: string;
  /** When given, the store refuses (RateLimitedError) a break-glass beyond the requester's limit. */
  rateLimit?: RateLimiter;
  /** As {@link NewRequest.refuseIfOpen}: called under the per-user lock, throws to refuse. */
  refuseIfOpen?: (open: OpenAccess) => void;
}

/** Who may see which requests: the requester always; owners of the role; everyone for approver groups. */
export interface Visibility {
  userRef: string;
  ownerRefs: string[];
  all: boolean;
}

/** Filters of request and grant lists. */
export interface ListFilter {
  visibility: Visibility;
  mine?: boolean;
  roleRef?: string;
  status?: string[];
  limit: number;
  offset: number;
}

/** Filters of the audit trail. */
export interface AuditFilter {
  /** Only entries of roles these refs own; absent means all. */
  ownerRefs?: string[];
  roleRef?: string;
  requestId?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
}

/** A transition that happened, for notifications and the auditor service. */
export interface Transition {
  action: string;
  request: StoredRequest;
  grant?: StoredGrant;
  fromState: string;
  toState: string;
}

/** Whether a repeated submission asks for what the stored request asked for, field by field. */
export function isSameSubmission(
  existing: StoredRequest,
  input: Pick<
    NewRequest,
    'roleRef' | 'durationMinutes' | 'justification' | 'ticket'
  >,
): boolean {
  return (
    existing.roleRef === input.roleRef &&
    existing.durationMinutes === input.durationMinutes &&
    existing.justification === input.justification &&
    (existing.ticket ?? '') === (input.ticket ?? '')
  );
}

/**
 * Storage of requests, approvals, grants and the audit log. Every transition is conditional (two
 * approvers racing get one decision) and writes its audit entry in the same transaction.
 */
export interface BrokerStore {
  /**
   * Creates a pending request. With an idempotency key already used by the same requester, returns
   * the existing request (`created: false`) instead; a key reused with other content is a conflict.
   */
  createRequest(
    input: NewRequest,
  ): Promise<{ request: StoredRequest; created: boolean }>;
  /** The request a requester made with an idempotency key, if any. */
  findByIdempotencyKey(
    requester: string,
    key: string,
  ): Promise<StoredRequest | undefined>;
  /** One request with its approvals and grant. */
  getRequest(id: string): Promise<StoredRequest | undefined>;
  /** Requests the caller may see, newest first, one page. */
  listRequests(filter: ListFilter): Promise<StoredRequest[]>;
  /** How many requests {@link BrokerStore.listRequests} would list without paging. */
  countRequests(filter: Omit<ListFilter, 'limit' | 'offset'>): Promise<number>;
  /** Pending requests of roles the given refs own (all, for approver groups), not made by the caller, oldest first. */
  listPendingFor(v: Visibility, limit: number): Promise<StoredRequest[]>;
  /** Records one approval; the last one of the quorum approves the request and starts a grant. */
  approve(options: {
    id: string;
    approver: string;
    reason?: string;
    now: string;
    /** The grant's end: for an extension, given the grant whose end moves (active, unexpired). */
    grantExpiresAt: (request: StoredRequest, extended?: StoredGrant) => string;
    action?: string;
  }): Promise<{ request: StoredRequest; transitions: Transition[] }>;
  /** Moves a pending request to `denied` or `cancelled`; a conflict when it is no longer pending. */
  closePending(options: {
    id: string;
    actor: string;
    to: 'denied' | 'cancelled';
    reason?: string;
    now: string;
  }): Promise<StoredRequest>;
  /** One grant. */
  getGrant(id: string): Promise<StoredGrant | undefined>;
  /** Grants the caller may see, newest first, one page. */
  listGrants(filter: ListFilter): Promise<StoredGrant[]>;
  /** How many grants {@link BrokerStore.listGrants} would list without paging. */
  countGrants(filter: Omit<ListFilter, 'limit' | 'offset'>): Promise<number>;
  /** Ends an active grant early (`grant-released` when its holder does); pending extensions of it are cancelled. */
  revokeGrant(options: {
    id: string;
    actor: string;
    reason: string;
    now: string;
    action?: 'grant-revoked' | 'grant-released';
  }): Promise<StoredGrant>;
  /** The requester's pending access request for a role, and their active, unexpired grant of it. */
  findOpen(
    requester: string,
    roleRef: string,
    now: string,
  ): Promise<OpenAccess>;
  /** The pending extension of a grant, if any. */
  pendingExtension(grantId: string): Promise<StoredRequest | undefined>;
  /** Records a break-glass request, approved by its requester, and starts its grant (audited as such). */
  breakGlass(input: NewBreakGlass): Promise<StoredRequest>;
  /** Break-glass grants nobody reviewed yet that the visibility covers (by owner or approver group), not the caller's own, oldest first. */
  listUnreviewed(
    v: Visibility,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredGrant[]; totalItems: number }>;
  /** Records the review of a break-glass grant; a conflict when it was reviewed already. */
  reviewGrant(options: {
    id: string;
    actor: string;
    note: string;
    now: string;
  }): Promise<StoredGrant>;
  /** Reserves one credential issue on an active, unexpired grant (audited); never stores credentials. */
  recordCredentialsIssue(options: {
    id: string;
    actor: string;
    now: string;
    detail: string;
  }): Promise<StoredGrant>;
  /** Appends an audit entry that is not a state transition (e.g. a failed STS call). */
  appendAudit(
    entry: Omit<AuditEntry, 'id'> & { ownerRef?: string },
  ): Promise<void>;
  /** Expires pending requests past their deadline and active grants past their end; returns what changed. */
  expire(now: string): Promise<Transition[]>;
  /** The audit trail, newest first. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
}
