import type { ResourceEntity } from '@backstage/catalog-model';
import type { JsonValue } from '@backstage/types';
import {
  ANNOTATION_IAM_PROVIDER,
  AWS_IAM_ROLE_RESOURCE_TYPE,
  IAM_ROLE_LOCATION_TYPES,
} from './constants';

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
