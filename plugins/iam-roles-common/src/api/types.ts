import type {
  ConditionClause,
  Finding,
  PrincipalContext,
  RoleAnalysis,
  AssumeOutcome,
  TrustedPrincipal,
} from '../trust/types';
import type { IamAccessDerivation } from '../entity/IamRoleEntity';
import type { RoleExposure } from '../trust/exposure';
import type { components } from './generated/openapi';

// The broker's own models come from the one contract, src/schema/openapi.yaml of the backend
// (yarn openapi:generate). The shapes built on the trust engine's types keep the engine's richer
// unions and are checked against the contract at the end of this file.
type Schemas = components['schemas'];

/** Lifecycle state of an access request. */
export type AccessRequestStatus = AccessRequest['status'];

/** Lifecycle state of a grant. */
export type GrantStatus = Grant['status'];

/** A grant: access to a role from approval to expiry. */
export type Grant = Schemas['Grant'];

/** One approval of a request. */
export type Approval = Schemas['Approval'];

/** A request for time-boxed access to a role; `canDecide` is computed per caller. */
export type AccessRequest = Schemas['AccessRequest'];

/** Body of `POST /requests`. */
/** Body of `POST /requests`. */
export type CreateAccessRequest = Schemas['CreateAccessRequest'];

/** Short-lived credentials, returned once by `POST /grants/:id/credentials`. */
/** Short-lived credentials, returned once by `POST /grants/:id/credentials`. */
export type IssuedCredentials = Schemas['IssuedCredentials'];

/** `GET /config`: what the broker can do in this installation. */
/** `GET /config`: what the broker can do in this installation. */
export type BrokerInfo = Schemas['BrokerInfo'];

/** A principal of a role, in words and catalog terms. */
export type ResolvedPrincipal = TrustedPrincipal & {
  /** Plain words, e.g. "GitHub Actions in acme/payments-api on branch main". */
  description: string;
  /** The catalog entity it maps to, when one exists. */
  entityRef?: string;
  /** Whether the principal is outside the known internal accounts. */
  external?: boolean;
  /** The GitHub repositories its conditions name one by one, each linked to its own component. */
  repositories?: PrincipalRepository[];
};

/** A GitHub repository a principal's conditions name, and the catalog component it maps to. */
export type PrincipalRepository = {
  /** `OWNER/REPO`, as the trust policy names it. */
  slug: string;
  /** The component whose `github.com/project-slug` it is, when the catalog has one. */
  entityRef?: string;
};

/** `GET /roles/trust?entityRef=`: a role's analysis with principals resolved to the catalog. */
export type RoleTrustView = {
  entityRef: string;
  analysis: RoleAnalysis;
  principals: ResolvedPrincipal[];
  /** Whether this role trusts the broker, and if not, the statement it would need. */
  /** Roles whose sessions reach this role through role chaining, nearest first (see the spec). */
  reachableFrom?: ChainedRole[];
  broker: {
    trusted: boolean;
    requiredStatement?: Record<string, unknown>;
  };
};

/** One role a principal or entity can assume. */
export type AssumableRole = {
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
  /** How the relation was derived: trust policy, Identity Center, Pod Identity, role chain. */
  derivedVia?: IamAccessDerivation[];
};

/** A user or group of the Identity Center identity store, and the catalog entity it matches. */
export type IdentityCenterIdentity = Schemas['IdentityCenterIdentity'];

/** A permission set an identity gets in an account, whose assignment gives it, and its role. */
export type IdentityCenterRoleGrant = Schemas['IdentityCenterRoleGrant'];

/** A member of a group, with every role it gets through Identity Center. */
export type IdentityCenterMemberAccess = Schemas['IdentityCenterMemberAccess'];

/** `/lookup` of an Identity Center user or group: who it is in catalog terms and what it gets. */
export type IdentityCenterLookup = Schemas['IdentityCenterLookup'];

/** The broker's trust index that answered a query: 0 roles right after start-up means "not known yet". */
export type TrustIndexState = Schemas['TrustIndexState'];

/** `GET /assumable?entityRef=` and `GET /lookup?q=`. */
export type AssumableRolesResponse = {
  query: string;
  principals: PrincipalContext[];
  roles: AssumableRole[];
  /** The index that answered: an empty one means "not known yet", not "none". */
  index?: TrustIndexState;
  /** `/lookup` only: roles reached through role chaining (two hops or more), shortest first. */
  chains?: ChainedRole[];
  /** More roles are reachable than `chains` lists. */
  chainsTruncated?: boolean;
  /** `/lookup` of an Identity Center user or group. */
  identityCenter?: IdentityCenterLookup;
};

/** One hop of a role chain: the role assumed, and how. */
export type ChainHop = {
  entityRef: string;
  arn: string;
  title: string;
  outcome: 'allowed' | 'possible';
  via: string;
  /** What this hop needs that the caller's context cannot settle. */
  conditions: ConditionClause[];
};

/** A role reached through role chaining, with its shortest path from the principal. */
export type ChainedRole = {
  entityRef: string;
  arn: string;
  title: string;
  owner?: string;
  /** Hops from the principal (2 or more). */
  depth: number;
  /** `possible` when any hop is. */
  outcome: 'allowed' | 'possible';
  path: ChainHop[];
  /** In a role's `reachableFrom`: the catalog entities that can assume the starting role. */
  holders?: string[];
};

/** One row of `GET /findings`. */
export type RoleFinding = {
  entityRef: string;
  arn: string;
  title: string;
  owner?: string;
  finding: Finding;
};

/** One entry of the audit trail. */
export type AuditEntry = Schemas['AuditEntry'];

/** The columns of an audit-trail CSV export, in order: the broker's `/audit?format=csv` and the UI's export. */
export const AUDIT_CSV_COLUMNS: ReadonlyArray<keyof AuditEntry> = [
  'id',
  'at',
  'actor',
  'action',
  'requestId',
  'grantId',
  'roleRef',
  'fromState',
  'toState',
  'reason',
];

/**
 * One page of a list call (`GET /requests`, `/grants`, `/approvals`, `/findings`): the rows from
 * `offset`, at most `limit` of them, and how many rows match in all, so a client can tell the list
 * is cut and fetch the rest.
 */
export type ListPage<T> = {
  items: T[];
  totalItems: number;
  offset: number;
  limit: number;
};

// Compile-time check that the engine-shaped answers are what the contract says: `yarn tsc` fails
// here when openapi.yaml and these types drift apart.
type Conforms<T extends Expected, Expected> = T;
export type ContractChecks = [
  Conforms<RoleTrustView, Schemas['RoleTrustView']>,
  Conforms<AssumableRole, Schemas['AssumableRole']>,
  Conforms<AssumableRolesResponse, Schemas['AssumableRolesResponse']>,
  Conforms<RoleFinding, Schemas['RoleFinding']>,
  Conforms<ResolvedPrincipal, Schemas['ResolvedPrincipal']>,
  Conforms<PrincipalRepository, Schemas['PrincipalRepository']>,
  Conforms<ChainedRole, Schemas['ChainedRole']>,
  Conforms<ListPage<AccessRequest>, Schemas['AccessRequestPage']>,
  Conforms<ListPage<Grant>, Schemas['GrantPage']>,
  Conforms<ListPage<RoleFinding>, Schemas['RoleFindingPage']>,
  Conforms<RoleExposure, Schemas['RoleExposure']>,
];

/** A role of the IAM roles home's inventory (`GET /roles`). */
export type RoleInventoryRow = Schemas['RoleInventoryRow'];

/** A value of an inventory facet and how many roles of the index have it. */
export type RoleInventoryFacet = Schemas['RoleInventoryFacet'];

/** `GET /roles`: one page of the inventory, the facets and the index that answered. */
export type RoleInventoryPage = Schemas['RoleInventoryPage'];

/** The inventory's presets (`GET /roles?preset=`). */
export type RoleInventoryPreset = keyof RoleInventoryPage['facets']['presets'];

/** `GET /request-options?role=`: what the caller can ask for on one role. */
export type RequestOptions = Schemas['RequestOptions'];

/** Body of `POST /grants/:id/extend`. */
export type ExtendGrant = Schemas['ExtendGrant'];

/** Body of `POST /break-glass`. */
export type BreakGlassRequest = Schemas['BreakGlassRequest'];
