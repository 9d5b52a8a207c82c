import {
  AwsAccountEksCluster,
  IamAccessDerivation,
  IamIdentityCenterAccess,
  IamIdentityCenterPrincipal,
  IamPodIdentityAssociation,
  IamResourceControlPolicy,
  NormalizedPolicy,
  evaluateAssume,
  resourceControlPoliciesFor,
  isPermissionSetNamed,
  parseRoleArn,
  podIdentityContext,
  roleKey,
  WorkloadIdentity,
} from '@backstage-iam/plugin-iam-roles-common';
import type { JsonValue } from '@backstage/types';
import { permissionSetOf } from '../entities/principalRefs';
import type {
  EffectiveDataset,
  IdentityCenterData,
  IdentityStoreGroup,
  IdentityStoreUser,
  OrganizationPoliciesData,
  PodIdentityData,
} from './types';

/** How identity-store groups or users are matched to catalog Groups or Users. */
export interface IdentityMatchRule {
  /**
   * `displayName`: the display name (groups) or display name / user name (users) equals the entity's
   * name or `spec.profile.displayName`; `userName` (users): the user name equals the entity's name
   * or `spec.profile.email`; `email` (users): an email equals `spec.profile.email`; `externalId`: an
   * external id equals the value of the entity's annotation `annotation`; `annotation`: the entity's
   * annotation `annotation` holds the identity-store id (or the display / user name).
   */
  by: 'displayName' | 'userName' | 'email' | 'externalId' | 'annotation';
  annotation?: string;
}

/** The annotation the `annotation` rule reads when none is configured. */
export const ANNOTATION_IDENTITY_STORE_ID = 'aws.amazon.com/identity-store-id';

/** A catalog Group or User as the matching sees it. */
export interface CatalogIdentity {
  ref: string;
  name: string;
  displayName?: string;
  email?: string;
  annotations: Record<string, string>;
}

/** What the catalog holds that effective access is matched against. */
export interface CatalogIdentities {
  groups: CatalogIdentity[];
  users: CatalogIdentity[];
  /** Components with the workload identities -common's mapping reads from their annotations. */
  components: Array<{ ref: string; identities: WorkloadIdentity[] }>;
}

/** What effective access adds to one role entity. */
export interface RoleEffectiveAccess {
  identityCenter?: IamIdentityCenterAccess[];
  podIdentityAssociations?: IamPodIdentityAssociation[];
  resourceControlPolicies?: IamResourceControlPolicy[];
  /** Catalog entities that can assume the role by these datasets, with how. */
  refs: Array<{ entityRef: string; via: IamAccessDerivation }>;
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

function candidatesOf(
  entities: CatalogIdentity[],
  matches: (entity: CatalogIdentity) => boolean,
): string[] {
  return [...new Set(entities.filter(matches).map(e => e.ref))].sort();
}

function matchGroup(
  group: IdentityStoreGroup,
  rule: IdentityMatchRule,
  groups: CatalogIdentity[],
): string[] {
  const annotation = rule.annotation ?? ANNOTATION_IDENTITY_STORE_ID;
  switch (rule.by) {
    case 'externalId': {
      const ids = new Set(group.externalIds.map(e => e.id));
      return candidatesOf(groups, e => {
        const value = e.annotations[annotation];
        return value !== undefined && ids.has(value.trim());
      });
    }
    case 'annotation': {
      const names = new Set([group.id, lower(group.displayName)]);
      return candidatesOf(groups, e => {
        const value = e.annotations[annotation]?.trim();
        return (
          value !== undefined && (names.has(value) || names.has(lower(value)))
        );
      });
    }
    default: {
      const name = lower(group.displayName);
      return candidatesOf(
        groups,
        e =>
          lower(e.name) === name ||
          (e.displayName !== undefined && lower(e.displayName) === name),
      );
    }
  }
}

function matchUser(
  user: IdentityStoreUser,
  rule: IdentityMatchRule,
  users: CatalogIdentity[],
): string[] {
  const annotation = rule.annotation ?? ANNOTATION_IDENTITY_STORE_ID;
  switch (rule.by) {
    case 'externalId': {
      const ids = new Set(user.externalIds.map(e => e.id));
      return candidatesOf(users, e => {
        const value = e.annotations[annotation];
        return value !== undefined && ids.has(value.trim());
      });
    }
    case 'annotation': {
      const names = new Set([user.id, lower(user.userName)]);
      return candidatesOf(users, e => {
        const value = e.annotations[annotation]?.trim();
        return (
          value !== undefined && (names.has(value) || names.has(lower(value)))
        );
      });
    }
    case 'userName': {
      const name = lower(user.userName);
      return candidatesOf(
        users,
        e =>
          lower(e.name) === name ||
          (e.email !== undefined && lower(e.email) === name),
      );
    }
    case 'displayName': {
      const names = new Set(
        [user.displayName, user.userName].flatMap(n => (n ? [lower(n)] : [])),
      );
      return candidatesOf(
        users,
        e =>
          names.has(lower(e.name)) ||
          (e.displayName !== undefined && names.has(lower(e.displayName))),
      );
    }
    default: {
      const emails = new Set(user.emails.map(lower));
      return candidatesOf(
        users,
        e => e.email !== undefined && emails.has(lower(e.email)),
      );
    }
  }
}

function principal(
  base: Pick<
    IamIdentityCenterPrincipal,
    'principalType' | 'principalId' | 'name' | 'displayName' | 'emails'
  >,
  candidates: string[],
  members?: IamIdentityCenterPrincipal[],
): IamIdentityCenterPrincipal {
  let status: IamIdentityCenterPrincipal['status'] = 'ambiguous';
  if (candidates.length <= 1) {
    status = candidates.length === 1 ? 'matched' : 'unmatched';
  }
  return {
    ...base,
    status,
    ...(status === 'matched' ? { entityRef: candidates[0] } : {}),
    ...(status === 'ambiguous' ? { candidates } : {}),
    ...(members !== undefined ? { memberCount: members.length, members } : {}),
  };
}

/** Options of {@link EffectiveAccessIndex.create}. */
export interface EffectiveAccessIndexOptions {
  datasets: EffectiveDataset[];
  catalog?: CatalogIdentities;
  groupMatch: IdentityMatchRule;
  userMatch: IdentityMatchRule;
}

type IndexedAssociation = Omit<IamPodIdentityAssociation, 'as'>;

/**
 * The effective-access datasets indexed for the entity builder: which Identity Center assignments,
 * Pod Identity associations and RCPs concern a role, and which catalog entities they name.
 */
export class EffectiveAccessIndex {
  private readonly identityCenter: IdentityCenterData[] = [];
  /** roleKey → associations naming the role, as role or target. */
  private readonly associations = new Map<
    string,
    Array<{ association: IndexedAssociation; as: 'role' | 'target' }>
  >();
  private readonly organizations: OrganizationPoliciesData[] = [];
  private readonly seenAssociations = new Set<string>();
  /** accountId → `region:name` → the cluster, from the newest dataset that described it. */
  private readonly clusters = new Map<
    string,
    Map<string, AwsAccountEksCluster>
  >();
  private readonly principals = new Map<string, IamIdentityCenterPrincipal>();

  private constructor(private readonly options: EffectiveAccessIndexOptions) {
    // The same instance, organisation or association may be in two datasets (a snapshot file
    // copied, a live and an old snapshot read): the newest read of each counts once.
    const instances = new Map<string, IdentityCenterData>();
    const organizations = new Map<string, OrganizationPoliciesData>();
    const newestFirst = [...options.datasets].sort((a, b) =>
      b.readAt.localeCompare(a.readAt),
    );
    for (const { data } of newestFirst) {
      if (data.kind === 'aws-identity-center') {
        if (!instances.has(data.instanceArn)) {
          instances.set(data.instanceArn, data);
        }
      } else if (data.kind === 'aws-eks-pod-identity') {
        this.indexPodIdentity(data);
      } else {
        const id = data.organizationId ?? `#${organizations.size}`;
        if (!organizations.has(id)) {
          organizations.set(id, data);
        }
      }
    }
    this.identityCenter.push(...instances.values());
    this.organizations.push(...organizations.values());
  }

  static create(options: EffectiveAccessIndexOptions): EffectiveAccessIndex {
    return new EffectiveAccessIndex(options);
  }

  private indexPodIdentity(data: PodIdentityData) {
    const clusters = this.clusters.get(data.accountId) ?? new Map();
    this.clusters.set(data.accountId, clusters);
    const details = new Map(data.clusterDetails?.map(c => [c.name, c]));
    for (const name of data.clusters) {
      const key = `${data.region}:${name}`;
      const d = details.get(name);
      // Datasets come newest first: an older one only adds what a newer one could not describe.
      if (
        clusters.get(key)?.oidcIssuer ||
        (clusters.has(key) && !d?.oidcIssuer)
      )
        continue;
      clusters.set(key, {
        name,
        region: data.region,
        ...(d?.arn ? { arn: d.arn } : {}),
        ...(d?.oidcIssuer ? { oidcIssuer: d.oidcIssuer } : {}),
      });
    }
    const components = this.options.catalog?.components ?? [];
    for (const a of data.associations) {
      const seenKey = `${data.accountId}:${data.region}:${a.clusterName}:${a.associationId}`;
      if (this.seenAssociations.has(seenKey)) {
        continue;
      }
      this.seenAssociations.add(seenKey);
      const componentRefs = components
        .filter(c =>
          c.identities.some(
            i =>
              i.type === 'eks' &&
              i.namespace === a.namespace &&
              i.serviceAccount === a.serviceAccount,
          ),
        )
        .map(c => c.ref)
        .sort();
      const association: IndexedAssociation = {
        accountId: data.accountId,
        region: data.region,
        clusterName: a.clusterName,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        associationId: a.associationId,
        ...(a.associationArn ? { associationArn: a.associationArn } : {}),
        roleArn: a.roleArn,
        ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
        ...(a.disableSessionTags ? { disableSessionTags: true } : {}),
        componentRefs,
      };
      const add = (arn: string, as: 'role' | 'target') => {
        const role = parseRoleArn(arn);
        if (!role) {
          return;
        }
        const key = roleKey(role.accountId, role.name);
        const list = this.associations.get(key) ?? [];
        list.push({ association, as });
        this.associations.set(key, list);
      };
      add(a.roleArn, 'role');
      if (a.targetRoleArn) {
        add(a.targetRoleArn, 'target');
      }
    }
  }

  private principalOf(
    data: IdentityCenterData,
    type: 'USER' | 'GROUP',
    id: string,
  ): IamIdentityCenterPrincipal {
    const cacheKey = `${data.identityStoreId}:${type}:${id}`;
    const cached = this.principals.get(cacheKey);
    if (cached) {
      return cached;
    }
    const catalog = this.options.catalog;
    let result: IamIdentityCenterPrincipal;
    if (type === 'GROUP') {
      const group = data.groups.find(g => g.id === id);
      // The members (users of the identity store, each matched) let the broker answer for a user
      // what it gets through its groups.
      result = group
        ? principal(
            { principalType: type, principalId: id, name: group.displayName },
            matchGroup(group, this.options.groupMatch, catalog?.groups ?? []),
            group.memberIds?.map(m => this.principalOf(data, 'USER', m)),
          )
        : principal({ principalType: type, principalId: id, name: id }, []);
    } else {
      const user = data.users.find(u => u.id === id);
      result = user
        ? principal(
            {
              principalType: type,
              principalId: id,
              name: user.userName,
              ...(user.displayName ? { displayName: user.displayName } : {}),
              ...(user.emails.length ? { emails: user.emails } : {}),
            },
            matchUser(user, this.options.userMatch, catalog?.users ?? []),
          )
        : principal({ principalType: type, principalId: id, name: id }, []);
    }
    this.principals.set(cacheKey, result);
    return result;
  }

  /** The EKS clusters of an account the datasets know, by region and name: what its account entity carries. */
  eksClustersOf(accountId: string): AwsAccountEksCluster[] {
    return [...(this.clusters.get(accountId)?.values() ?? [])].sort(
      (a, b) =>
        a.region.localeCompare(b.region) || a.name.localeCompare(b.name),
    );
  }

  /** What the datasets say about one role. */
  forRole(
    role: {
      arn: string;
      accountId: string;
      roleName: string;
      path: string;
    },
    /** The role's normalised trust policy: Pod Identity associations are checked against it. */
    trustPolicy?: NormalizedPolicy,
  ): RoleEffectiveAccess {
    const out: RoleEffectiveAccess = { refs: [] };

    const setName = permissionSetOf(role.roleName, role.path);
    if (setName) {
      const access: IamIdentityCenterAccess[] = [];
      for (const data of this.identityCenter) {
        // The reserved role name carries the permission set name (IAM cuts it at 32 characters).
        for (const set of data.permissionSets.filter(s =>
          isPermissionSetNamed(s.name, setName),
        )) {
          const principals = data.assignments
            .filter(
              a =>
                a.accountId === role.accountId &&
                a.permissionSetArn === set.arn,
            )
            .map(a => this.principalOf(data, a.principalType, a.principalId))
            .sort(
              (a, b) =>
                a.principalType.localeCompare(b.principalType) ||
                a.name.localeCompare(b.name),
            );
          access.push({
            instanceArn: data.instanceArn,
            permissionSetArn: set.arn,
            permissionSetName: set.name,
            accountId: role.accountId,
            principals,
          });
          for (const p of principals) {
            if (p.entityRef) {
              out.refs.push({ entityRef: p.entityRef, via: 'identity-center' });
            }
          }
        }
      }
      if (access.length) {
        out.identityCenter = access;
      }
    }

    const parsed = parseRoleArn(role.arn);
    const associations = parsed
      ? this.associations.get(roleKey(parsed.accountId, parsed.name)) ?? []
      : [];
    if (associations.length) {
      out.podIdentityAssociations = associations
        .map(({ association, as }) => {
          if (!trustPolicy) return { ...association, as };
          // The association's own role is assumed by the service with the pod's session tags; a
          // target role by the first role's session.
          const decision = evaluateAssume(
            trustPolicy,
            as === 'role'
              ? podIdentityContext(association)
              : { type: 'arn', arn: association.roleArn },
          );
          return {
            ...association,
            as,
            trust: {
              outcome: decision.outcome,
              conditions: decision.conditions,
            },
          };
        })
        .sort(
          (a, b) =>
            a.clusterName.localeCompare(b.clusterName) ||
            a.namespace.localeCompare(b.namespace) ||
            a.serviceAccount.localeCompare(b.serviceAccount) ||
            a.associationId.localeCompare(b.associationId),
        );
      for (const a of out.podIdentityAssociations) {
        // The trust policy refuses these pods: the association exists, the access does not.
        if (a.trust && !['allowed', 'possible'].includes(a.trust.outcome)) {
          continue;
        }
        for (const entityRef of a.componentRefs) {
          out.refs.push({ entityRef, via: 'pod-identity' });
        }
      }
    }

    const rcps: IamResourceControlPolicy[] = this.organizations.flatMap(org =>
      resourceControlPoliciesFor(org, role.accountId).map(p => ({
        ...p,
        document: p.document as JsonValue,
      })),
    );
    if (rcps.length) {
      out.resourceControlPolicies = rcps.sort((a, b) =>
        a.id.localeCompare(b.id),
      );
    }
    return out;
  }
}
