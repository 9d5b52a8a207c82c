import type {
  ConditionClause,
  Finding,
  PrincipalContext,
  RoleAnalysis,
  AssumeOutcome,
  TrustedPrincipal,
} from '../trust/types';

/** Lifecycle state of an access request. */
export type AccessRequestStatus =
  | 'pending'
  | 'approved'
  | 'denied'
  | 'cancelled'
  | 'expired';

/** Lifecycle state of a grant. */
export type GrantStatus = 'active' | 'revoked' | 'expired';

/** A grant: access to a role from approval to expiry. */
export interface Grant {
  id: string;
  requestId: string;
  roleRef: string;
  roleArn: string;
  /** User entity ref of the requester. */
  user: string;
  status: GrantStatus;
  grantedAt: string;
  expiresAt: string;
  revokedAt?: string;
  revokedBy?: string;
  revokeReason?: string;
}

/** One approval of a request. */
export interface Approval {
  approver: string;
  reason?: string;
  at: string;
}

/** A request for time-boxed access to a role. */
export interface AccessRequest {
  id: string;
  roleRef: string;
  roleArn: string;
  requester: string;
  justification: string;
  durationMinutes: number;
  ticket?: string;
  status: AccessRequestStatus;
  createdAt: string;
  updatedAt: string;
  /** Pending requests expire without a decision at this time. */
  expiresAt: string;
  requiredApprovals: number;
  approvals: Approval[];
  decidedAt?: string;
  decidedBy?: string;
  decisionReason?: string;
  grant?: Grant;
  /** Whether the caller may approve or deny this request (computed per caller). */
  canDecide?: boolean;
}

/** Body of `POST /requests`. */
export interface CreateAccessRequest {
  roleRef: string;
  justification: string;
  durationMinutes: number;
  ticket?: string;
  idempotencyKey?: string;
}

/** Short-lived credentials, returned once by `POST /grants/:id/credentials`. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  roleArn: string;
  region?: string;
}

/** `GET /config`: what the broker can do in this installation. */
export interface BrokerInfo {
  credentialsEnabled: boolean;
  /** Why credentials are not issued, when they are not. */
  credentialsDisabledReason?: string;
  brokerPrincipalArn?: string;
  defaultDurationMinutes: number;
  minDurationMinutes: number;
  maxDurationMinutes: number;
}

/** A principal of a role, in words and catalog terms. */
export interface ResolvedPrincipal extends TrustedPrincipal {
  /** Plain words, e.g. "GitHub Actions in acme/payments-api on branch main". */
  description: string;
  /** The catalog entity it maps to, when one exists. */
  entityRef?: string;
  /** Whether the principal is outside the known internal accounts. */
  external?: boolean;
}

/** `GET /roles/trust?entityRef=`: a role's analysis with principals resolved to the catalog. */
export interface RoleTrustView {
  entityRef: string;
  analysis: RoleAnalysis;
  principals: ResolvedPrincipal[];
  /** Whether this role trusts the broker, and if not, the statement it would need. */
  broker: {
    trusted: boolean;
    requiredStatement?: Record<string, unknown>;
  };
}

/** One role a principal or entity can assume. */
export interface AssumableRole {
  entityRef: string;
  arn: string;
  title: string;
  owner?: string;
  outcome: AssumeOutcome;
  via?: string;
  conditions: ConditionClause[];
  findings: Finding[];
  /** Which of the entity's identities matched (e.g. `github:acme/api@refs/heads/main`). */
  matchedBy?: string;
  /** The catalog entity whose identity got in, when it is not the queried one (a component a group owns). */
  through?: string;
}

/** The broker's trust index that answered a query. */
export interface TrustIndexState {
  /** Roles in the index; 0 right after start-up, while the catalog has not delivered any yet. */
  roles: number;
  /** When the index was built (ISO 8601). */
  builtAt: string;
}

/** `GET /assumable?entityRef=` and `GET /lookup?q=`. */
export interface AssumableRolesResponse {
  query: string;
  principals: PrincipalContext[];
  roles: AssumableRole[];
  /** The index that answered: an empty one means "not known yet", not "none". */
  index?: TrustIndexState;
}

/** One row of `GET /findings`. */
export interface RoleFinding {
  entityRef: string;
  arn: string;
  title: string;
  owner?: string;
  finding: Finding;
}

/** One entry of the audit trail. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  requestId?: string;
  grantId?: string;
  roleRef?: string;
  fromState?: string;
  toState?: string;
  reason?: string;
}

/**
 * One page of a list call (`GET /requests`, `/grants`, `/approvals`, `/findings`): the rows from
 * `offset`, at most `limit` of them, and how many rows match in all, so a client can tell the list
 * is cut and fetch the rest.
 */
export interface ListPage<T> {
  items: T[];
  totalItems: number;
  offset: number;
  limit: number;
}
