import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { DateTime } from 'luxon';
import {
  analyzeRoleEntity,
  ANNOTATION_AWS_ACCOUNT_ID,
  ANNOTATION_IAM_APPROVAL_QUORUM,
  AWS_ACCOUNT_RESOURCE_TYPE,
  IamRoleEntity,
  isEmittedIamRoleEntity,
  isIamRoleEntity,
  RELATION_ASSUMABLE_BY,
  RoleAnalysis,
  roleKeyOfArn,
  TrustAnalysisCache,
  TrustIndex,
  WorkloadIdentity,
  workloadIdentitiesOf,
} from '@backstage-iam/plugin-iam-roles-common';

/** Lower-cased full entity ref, the form every map of the broker is keyed by. */
export function normalizeRef(ref: string, defaultKind?: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

/** A role of the catalog, with its analysis. */
export interface RoleEntry {
  ref: string;
  entity: IamRoleEntity;
  arn: string;
  title: string;
  ownerRef: string;
  quorum?: number;
  analysis: RoleAnalysis;
}

/** A catalog entity whose workloads present identities to AWS. */
export interface WorkloadEntry {
  ref: string;
  ownerRef?: string;
  identities: WorkloadIdentity[];
}

/** What the trust queries answer from: the catalog's roles, accounts and workloads at one moment. */
export interface TrustSnapshot {
  at: DateTime;
  roles: Map<string, RoleEntry>;
  /** Role ref by `roleKeyOfArn` (account and lower-cased name). */
  roleByKey: Map<string, string>;
  accountRefById: Map<string, string>;
  internalAccounts: Set<string>;
  index: TrustIndex;
  workloads: Map<string, WorkloadEntry>;
  /** Entity ref → the roles it can assume, from the catalog's `assumableBy` relations of each role. */
  canAssume: Map<string, Set<string>>;
  /** Role ref → the entities that can assume it (the same relations, the other way). */
  assumableBy: Map<string, string[]>;
  /** Entities owned by a group (group ref → entity refs), for a group's "through its components" answers. */
  ownedBy: Map<string, string[]>;
  /** Role-shaped entities refused because the catalog module did not emit them. */
  refused: number;
}

/** The ref of an entity, normalised. */
export function refOf(e: {
  kind: string;
  metadata: { namespace?: string; name: string };
}): string {
  return normalizeRef(
    stringifyEntityRef({
      kind: e.kind,
      namespace: e.metadata.namespace,
      name: e.metadata.name,
    }),
  );
}

/** The owner of an entity as a normalised group ref, when it has one. */
export function ownerOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) {
    return undefined;
  }
  try {
    return normalizeRef(owner, 'group');
  } catch {
    return undefined;
  }
}

/** A role entry for an entity the catalog module emitted. */
export function toRoleEntry(
  entity: IamRoleEntity,
  cache: TrustAnalysisCache,
): RoleEntry {
  const quorum = Number(
    entity.metadata.annotations?.[ANNOTATION_IAM_APPROVAL_QUORUM],
  );
  return {
    ref: refOf(entity),
    entity,
    arn: entity.spec.iam.arn,
    title: entity.metadata.title ?? entity.metadata.name,
    ownerRef: ownerOf(entity) ?? '',
    quorum: Number.isInteger(quorum) && quorum > 0 ? quorum : undefined,
    // One analysis per policy version; the findings are the catalog module's, recorded in spec.iam.
    analysis: analyzeRoleEntity(entity, cache),
  };
}

/** The entities that can assume a role, by its relations (and `spec.assumableBy`, which they come from). */
function holdersOfRole(entity: IamRoleEntity): string[] {
  const refs = new Set<string>();
  for (const relation of entity.relations ?? []) {
    if (relation.type === RELATION_ASSUMABLE_BY) {
      refs.add(relation.targetRef.toLocaleLowerCase('en-US'));
    }
  }
  for (const value of entity.spec.assumableBy ?? []) {
    try {
      refs.add(normalizeRef(value));
    } catch {
      // The catalog module reports a malformed entry on the role; it is no relation.
    }
  }
  return [...refs].sort();
}

/**
 * Builds the snapshot the trust queries answer from. Role entities count only when the catalog
 * module's provider emitted them (`isEmittedIamRoleEntity`); who can assume a role is what the catalog's
 * relations say, so the graph and every answer of the broker agree.
 */
export function buildTrustSnapshot(
  entities: Entity[],
  options: { internalAccounts: string[]; cache: TrustAnalysisCache },
): TrustSnapshot {
  const roles = new Map<string, RoleEntry>();
  const roleByKey = new Map<string, string>();
  const accountRefById = new Map<string, string>();
  const internalAccounts = new Set(options.internalAccounts);
  const workloads = new Map<string, WorkloadEntry>();
  const canAssume = new Map<string, Set<string>>();
  const assumableBy = new Map<string, string[]>();
  const ownedBy = new Map<string, string[]>();
  let refused = 0;

  for (const e of entities) {
    if (isIamRoleEntity(e)) {
      if (!isEmittedIamRoleEntity(e)) {
        refused += 1;
        continue;
      }
      const entry = toRoleEntry(e, options.cache);
      roles.set(entry.ref, entry);
      internalAccounts.add(e.spec.iam.accountId);
      const key = roleKeyOfArn(e.spec.iam.arn);
      if (key) {
        roleByKey.set(key, entry.ref);
      }
      continue;
    }
    const ref = refOf(e);
    const owner = ownerOf(e);
    if (owner) {
      ownedBy.set(owner, [...(ownedBy.get(owner) ?? []), ref]);
    }
    const accountId = e.metadata.annotations?.[ANNOTATION_AWS_ACCOUNT_ID];
    if (
      (e.spec as { type?: string } | undefined)?.type ===
        AWS_ACCOUNT_RESOURCE_TYPE &&
      accountId
    ) {
      internalAccounts.add(accountId);
      accountRefById.set(accountId, ref);
    }
    const identities = workloadIdentitiesOf(e);
    if (identities.length > 0) {
      workloads.set(ref, { ref, ownerRef: owner, identities });
    }
  }
  for (const role of roles.values()) {
    const holders = holdersOfRole(role.entity);
    assumableBy.set(role.ref, holders);
    for (const holder of holders) {
      const set = canAssume.get(holder) ?? new Set<string>();
      set.add(role.ref);
      canAssume.set(holder, set);
    }
  }
  const index = TrustIndex.build(
    [...roles.values()].map(r => ({ key: r.ref, analysis: r.analysis })),
  );
  return {
    at: DateTime.now(),
    roles,
    roleByKey,
    accountRefById,
    internalAccounts,
    index,
    workloads,
    canAssume,
    assumableBy,
    ownedBy,
    refused,
  };
}
