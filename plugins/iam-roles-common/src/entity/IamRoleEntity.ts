import type { ResourceEntity } from '@backstage/catalog-model';
import type { JsonValue } from '@backstage/types';
import type { AssumeOutcome, ConditionClause } from '../trust/types';
import {
  ANNOTATION_IAM_PROVIDER,
  AWS_IAM_ROLE_RESOURCE_TYPE,
  IAM_ROLE_LOCATION_TYPES,
} from './constants';

/** How a catalog entity was found to be able to assume a role (`spec.iam.assumableByVia`). */
export type IamAccessDerivation =
  /** The trust policy lets it in (roles, accounts, GitHub/GitLab/EKS OIDC workloads). */
  | 'trust-policy'
  /** An Identity Center account assignment of the role's permission set, read from Identity Center. */
  | 'identity-center'
  /** The module's static `identityCenter.permissionSets` configuration. */
  | 'identity-center-config'
  /** An EKS Pod Identity association of a service account the entity runs as. */
  | 'pod-identity'
  /** A role it can assume can assume this one (the broker's answers; never in `spec.iam.assumableByVia`). */
  | 'role-chain';

/** A user or group of the identity store holding an Identity Center assignment, and its catalog match. */
export type IamIdentityCenterPrincipal = {
  principalType: 'GROUP' | 'USER';
  principalId: string;
  /** The group's display name or the user's user name. */
  name: string;
  /** `unmatched`: no catalog entity matches (kept, shown as such); `ambiguous`: several do (`candidates`). */
  status: 'matched' | 'unmatched' | 'ambiguous';
  /** The matched catalog Group or User. */
  entityRef?: string;
  candidates?: string[];
  /** Groups: the number of users in the group. */
  memberCount?: number;
  /** Users: the display name and email addresses of the identity store (an incident lookup finds them by email). */
  displayName?: string;
  emails?: string[];
  /** Groups, when their memberships were read: the users in the group, each with its catalog match. */
  members?: IamIdentityCenterPrincipal[];
};

/** Who gets an `AWSReservedSSO_*` role: the assignments of its permission set in its account. */
export type IamIdentityCenterAccess = {
  instanceArn: string;
  permissionSetArn: string;
  permissionSetName: string;
  accountId: string;
  principals: IamIdentityCenterPrincipal[];
};

/** An EKS Pod Identity association that gives pods of a service account the role. */
export type IamPodIdentityAssociation = {
  /** The cluster's account and region. */
  accountId: string;
  region: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  associationId: string;
  associationArn?: string;
  /** `role`: this is the association's role; `target`: its target role, assumed with the first role's session. */
  as: 'role' | 'target';
  roleArn: string;
  targetRoleArn?: string;
  /** Created with `disableSessionTags`: EKS sends no session tags, so trust conditions on them are not met. */
  disableSessionTags?: boolean;
  /** Components whose Kubernetes annotations name the service account; empty when none. */
  componentRefs: string[];
  /**
   * What the role's trust policy says to this association's sessions (evaluated with the session tags
   * EKS Pod Identity adds): `allowed`, `possible` with the conditions left open, or `denied` /
   * `not-trusted` — then the components get no relation to the role.
   */
  trust?: { outcome: AssumeOutcome; conditions: ConditionClause[] };
};

/** An Organizations resource control policy that applies to the role's account. */
export type IamResourceControlPolicy = {
  id: string;
  name: string;
  arn?: string;
  organizationId?: string;
  awsManaged?: boolean;
  /** Where on the account's path it is attached: the root (`r-…`), OUs (`ou-…`) or the account. */
  attachedTo: string[];
  /** The policy document (decoded JSON; the text as read when it is not JSON). */
  document: JsonValue;
};

/**
 * What a reviewer needs to know about a role, stored in `spec.iam` of its entity. A type, not an
 * interface, and JSON values only, so that an IamRoleEntity is an Entity to TypeScript too.
 */
export type IamRoleSpec = {
  arn: string;
  accountId: string;
  roleName: string;
  path: string;
  roleId: string;
  /** ISO 8601. */
  createDate?: string;
  maxSessionDuration?: number;
  description?: string;
  /** The trust policy, parsed and decoded (the JSON object IAM stores). Absent when unreadable. */
  trustPolicy?: JsonValue;
  /** The trust policy as read, when it could not be parsed. */
  trustPolicyRaw?: string;
  lastUsed?: { date?: string; region?: string };
  attachedManagedPolicies: Array<{ name: string; arn: string }>;
  inlinePolicyNames: string[];
  permissionsBoundary?: string;
  /**
   * Findings of the trust engine, analysed once by the catalog module when the role was read (with the
   * organisation's internal accounts and the inventory of roles): the one source of a role's risk.
   * Entities written by older versions carry only `id` and `severity`.
   */
  findings: Array<{
    id: string;
    severity: string;
    message?: string;
    statementIndex?: number;
    sid?: string;
    principal?: string;
  }>;
  /** Highest severity among the findings, or `none`. */
  risk: 'critical' | 'high' | 'medium' | 'low' | 'info' | 'none';
  /** `AWSReservedSSO_*` roles: the Identity Center assignments of the permission set in this account. */
  identityCenter?: IamIdentityCenterAccess[];
  /** EKS Pod Identity associations that give pods this role. */
  podIdentityAssociations?: IamPodIdentityAssociation[];
  /** Resource control policies that apply to the role's account (root, OUs and account). */
  resourceControlPolicies?: IamResourceControlPolicy[];
  /** How each entry of `spec.assumableBy` was derived; an entry may have several. */
  assumableByVia?: Array<{ entityRef: string; via: IamAccessDerivation[] }>;
};

/** A Resource entity of type `aws-iam-role`, as the catalog module emits it. */
export type IamRoleEntity = ResourceEntity & {
  spec: ResourceEntity['spec'] & {
    type: typeof AWS_IAM_ROLE_RESOURCE_TYPE;
    /** Entity refs of the catalog entities that can assume this role. */
    assumableBy?: string[];
    iam: IamRoleSpec;
  };
};

/** True when the entity is an IAM role Resource emitted by the catalog module. */
export function isIamRoleEntity(entity: {
  kind: string;
  spec?: Record<string, unknown> | object;
}): entity is IamRoleEntity {
  const spec = entity.spec as Record<string, unknown> | undefined;
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'resource' &&
    spec?.type === AWS_IAM_ROLE_RESOURCE_TYPE &&
    typeof spec?.iam === 'object' &&
    spec.iam !== null
  );
}

const MANAGED_BY_LOCATION = 'backstage.io/managed-by-location';

/**
 * True when the entity is an IAM role that the catalog module's provider emitted, not a look-alike
 * someone registered: the catalog overwrites `backstage.io/managed-by-location` of every entity read
 * from a location (`url:…`, `file:…`), so only a provider can give it the module's location types.
 * The broker decides approvals only for these: a registered Resource with a real ARN and a chosen
 * owner cannot steer who approves.
 */
export function isEmittedIamRoleEntity(entity: {
  kind: string;
  metadata: { annotations?: Record<string, string> };
  spec?: Record<string, unknown> | object;
}): entity is IamRoleEntity {
  if (!isIamRoleEntity(entity)) {
    return false;
  }
  const annotations = entity.metadata.annotations ?? {};
  const location = annotations[MANAGED_BY_LOCATION] ?? '';
  const type = location.slice(0, location.indexOf(':'));
  return (
    (IAM_ROLE_LOCATION_TYPES as readonly string[]).includes(type) &&
    !!annotations[ANNOTATION_IAM_PROVIDER]
  );
}
