import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { DateTime } from 'luxon';
import {
  accountNameOfTitle,
  analyzeRoleEntity,
  EksClusterName,
  eksClusterNamesOf,
  applyResourceControlPolicies,
  IamIdentityCenterPrincipal,
  IdentityCenterData,
  IdentityStoreGroup,
  IdentityStoreUser,
  permissionSetOfRole,
  PrincipalContext,
  TrustIndexMatch,
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

/** A role (`key`) whose sessions another role admits, and how: an index match, the other way round. */
export type RoleCaller = TrustIndexMatch;

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
  /** Lower-cased GitHub `OWNER/REPO` → the entities whose `github.com/project-slug` it is. */
  workloadsByGithubRepo: Map<string, string[]>;
  /** Entity ref → the roles it can assume, from the catalog's `assumableBy` relations of each role. */
  canAssume: Map<string, Set<string>>;
  /** Role ref → the entities that can assume it (the same relations, the other way). */
  assumableBy: Map<string, string[]>;
  /** Entities owned by a group (group ref → entity refs), for a group's "through its components" answers. */
  ownedBy: Map<string, string[]>;
  /** Role-shaped entities refused because the catalog module did not emit them. */
  refused: number;
  /** The roles whose sessions a role admits (RCPs applied): role chains read backwards (computed on first use). */
  callers: (ref: string) => RoleCaller[];
  /** Lower-cased name and title of each account entity → its account id. */
  accountIdByName: Map<string, string>;
  /** Account id → its name as the account entity's title gives it (`acme-production`), when known. */
  accountNameById: Map<string, string>;
  /** EKS clusters by OIDC issuer id, from the account entities' `spec.eksClusters`: IRSA principals name them. */
  eksClusters: Record<string, EksClusterName>;
  /** Identity Center as the role entities record it (`spec.iam.identityCenter`), one entry per instance. */
  identityCenter: IdentityCenterData[];
  /** `INSTANCE_ARN USER|GROUP ID` → the principal with the catalog match the module made. */
  identityCenterPrincipals: Map<string, IamIdentityCenterPrincipal>;
  /** `ACCOUNT:PERMISSION_SET` (as the reserved role name carries it) → `AWSReservedSSO_*` role refs. */
  ssoRoles: Map<string, string[]>;
}

/** The key of {@link TrustSnapshot.identityCenterPrincipals}. */
export function identityCenterKey(
  instanceArn: string,
  principalType: string,
  principalId: string,
): string {
  return `${instanceArn} ${principalType} ${principalId}`;
}

/**
 * The Identity Center data the role entities carry, put back together per instance: permission sets
 * and assignments from each reserved role's `identityCenter`, groups with the members the module
 * recorded, users from the assignments and the memberships. What no role names (a group without
 * assignments) is not needed: it gives no role.
 */
function identityCenterOf(roles: Iterable<RoleEntry>) {
  const instances = new Map<
    string,
    {
      data: IdentityCenterData;
      assignments: Set<string>;
      groups: Map<string, IdentityStoreGroup>;
      users: Map<string, IdentityStoreUser>;
      sets: Set<string>;
    }
  >();
  const principals = new Map<string, IamIdentityCenterPrincipal>();
  const addUser = (
    entry: NonNullable<ReturnType<typeof instances.get>>,
    instanceArn: string,
    p: IamIdentityCenterPrincipal,
  ) => {
    principals.set(identityCenterKey(instanceArn, 'USER', p.principalId), p);
    if (!entry.users.has(p.principalId)) {
      const user: IdentityStoreUser = {
        id: p.principalId,
        userName: p.name,
        ...(p.displayName ? { displayName: p.displayName } : {}),
        emails: p.emails ?? [],
        externalIds: [],
      };
      entry.users.set(p.principalId, user);
      entry.data.users.push(user);
    }
  };
  for (const role of roles) {
    for (const access of role.entity.spec.iam.identityCenter ?? []) {
      let entry = instances.get(access.instanceArn);
      if (!entry) {
        entry = {
          data: {
            kind: 'aws-identity-center',
            instanceArn: access.instanceArn,
            identityStoreId: '',
            permissionSets: [],
            assignments: [],
            groups: [],
            users: [],
          },
          assignments: new Set(),
          groups: new Map(),
          users: new Map(),
          sets: new Set(),
        };
        instances.set(access.instanceArn, entry);
      }
      if (!entry.sets.has(access.permissionSetArn)) {
        entry.sets.add(access.permissionSetArn);
        entry.data.permissionSets.push({
          arn: access.permissionSetArn,
          name: access.permissionSetName,
        });
      }
      for (const p of access.principals) {
        const key = `${access.accountId} ${access.permissionSetArn} ${p.principalType} ${p.principalId}`;
        if (!entry.assignments.has(key)) {
          entry.assignments.add(key);
          entry.data.assignments.push({
            accountId: access.accountId,
            permissionSetArn: access.permissionSetArn,
            principalType: p.principalType,
            principalId: p.principalId,
          });
        }
        if (p.principalType === 'USER') {
          addUser(entry, access.instanceArn, p);
          continue;
        }
        principals.set(
          identityCenterKey(access.instanceArn, 'GROUP', p.principalId),
          p,
        );
        let group = entry.groups.get(p.principalId);
        if (!group) {
          group = {
            id: p.principalId,
            displayName: p.name,
            externalIds: [],
            ...(p.members ? { memberIds: [] } : {}),
          };
          entry.groups.set(p.principalId, group);
          entry.data.groups.push(group);
        }
        for (const m of p.members ?? []) {
          addUser(entry, access.instanceArn, m);
          if (!group.memberIds?.includes(m.principalId)) {
            group.memberIds = [...(group.memberIds ?? []), m.principalId];
          }
        }
      }
    }
  }
  return {
    identityCenter: [...instances.values()].map(e => e.data),
    identityCenterPrincipals: principals,
  };
}

/**
 * The roles whose sessions a role admits (with the decision, RCPs applied): role chains read
 * backwards. Computed for one role when first asked and kept with the snapshot: computing it for
 * every role at each build cost O(roles × roles per account) (a role trusting its account's root
 * admits every role of it), most of the build at 100,000 roles.
 */
function callersOf(
  roles: Map<string, RoleEntry>,
  index: TrustIndex,
): (ref: string) => RoleCaller[] {
  const byAccount = new Map<string, RoleEntry[]>();
  const order = new Map<string, number>();
  for (const role of roles.values()) {
    order.set(role.ref, order.size);
    const accountId = role.entity.spec.iam.accountId;
    const list = byAccount.get(accountId) ?? [];
    list.push(role);
    byAccount.set(accountId, list);
  }
  const known = new Map<string, RoleCaller[]>();
  return (ref: string) => {
    const cached = known.get(ref);
    if (cached) return cached;
    const target = roles.get(ref);
    const out: RoleCaller[] = [];
    if (target) {
      const accounts = index.sessionAccounts(ref);
      const candidates =
        accounts === 'any'
          ? roles.values()
          : [...accounts].flatMap(a => byAccount.get(a) ?? []);
      const policies = target.entity.spec.iam.resourceControlPolicies;
      for (const from of candidates) {
        if (from.ref === ref) continue;
        const caller: PrincipalContext = { type: 'arn', arn: from.arn };
        const found = index.evaluate(ref, caller);
        if (!found) continue;
        const decision = policies?.length
          ? applyResourceControlPolicies({
              decision: found,
              principal: caller,
              roleArn: target.arn,
              policies,
            })
          : found;
        if (decision.outcome === 'allowed' || decision.outcome === 'possible') {
          out.push({ key: from.ref, decision });
        }
      }
    }
    // In the roles' order, whichever accounts the candidates came from.
    out.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
    known.set(ref, out);
    return out;
  };
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
  options: {
    internalAccounts: string[];
    cache: TrustAnalysisCache;
    /** The roles of the last snapshot: an entry whose entity is the same object is kept as it is. */
    previous?: Map<string, RoleEntry>;
  },
): TrustSnapshot {
  const roles = new Map<string, RoleEntry>();
  const roleByKey = new Map<string, string>();
  const accountRefById = new Map<string, string>();
  const internalAccounts = new Set(options.internalAccounts);
  const workloads = new Map<string, WorkloadEntry>();
  const workloadsByGithubRepo = new Map<string, string[]>();
  const canAssume = new Map<string, Set<string>>();
  const assumableBy = new Map<string, string[]>();
  const ownedBy = new Map<string, string[]>();
  const accountIdByName = new Map<string, string>();
  const accountNameById = new Map<string, string>();
  const accountEntities: Entity[] = [];
  const ssoRoles = new Map<string, string[]>();
  let refused = 0;
  // An unchanged entity is the same object as at the last build: its entry cannot differ.
  const reuse = new Map<Entity, RoleEntry>();
  for (const entry of options.previous?.values() ?? []) {
    reuse.set(entry.entity, entry);
  }

  for (const e of entities) {
    if (isIamRoleEntity(e)) {
      if (!isEmittedIamRoleEntity(e)) {
        refused += 1;
        continue;
      }
      const entry = reuse.get(e) ?? toRoleEntry(e, options.cache);
      roles.set(entry.ref, entry);
      internalAccounts.add(e.spec.iam.accountId);
      const key = roleKeyOfArn(e.spec.iam.arn);
      if (key) {
        roleByKey.set(key, entry.ref);
      }
      const set = permissionSetOfRole(e.spec.iam.roleName, e.spec.iam.path);
      if (set) {
        const at = `${e.spec.iam.accountId}:${set}`;
        ssoRoles.set(at, [...(ssoRoles.get(at) ?? []), entry.ref]);
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
      accountEntities.push(e);
      const accountName = accountNameOfTitle(e.metadata.title, accountId);
      if (accountName) accountNameById.set(accountId, accountName);
      for (const name of [e.metadata.name, e.metadata.title]) {
        if (name)
          accountIdByName.set(name.toLocaleLowerCase('en-US'), accountId);
      }
    }
    const identities = workloadIdentitiesOf(e);
    if (identities.length > 0) {
      workloads.set(ref, { ref, ownerRef: owner, identities });
    }
    for (const identity of identities) {
      if (identity.type !== 'github') continue;
      const slug = `${identity.owner}/${identity.repo}`.toLowerCase();
      workloadsByGithubRepo.set(slug, [
        ...(workloadsByGithubRepo.get(slug) ?? []),
        ref,
      ]);
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
    workloadsByGithubRepo,
    canAssume,
    assumableBy,
    ownedBy,
    refused,
    callers: callersOf(roles, index),
    accountIdByName,
    accountNameById,
    eksClusters: eksClusterNamesOf(accountEntities),
    ...identityCenterOf(roles.values()),
    ssoRoles,
  };
}
