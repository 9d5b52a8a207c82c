import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  analyzeRole,
  ANNOTATION_IAM_PROVIDER,
  decodePolicyDocument,
  parseArn,
  parseRoleArn,
  roleKey,
  ANNOTATION_AWS_ACCOUNT_ID,
  ANNOTATION_AWS_ARN,
  ANNOTATION_AWS_ROLE_ID,
  AWS_ACCOUNT_RESOURCE_TYPE,
  AWS_IAM_ROLE_RESOURCE_TYPE,
  highestSeverity,
  IamAccessDerivation,
  IamRoleEntity,
  IamRoleSpec,
  RoleRecord,
  roleExposure,
  accountEntityTitle,
} from '@backstage-iam/plugin-iam-roles-common';
import type { EffectiveAccessIndex } from '../effective/EffectiveAccessIndex';
import { AccountRead } from '../sources/types';
import {
  accountEntityName,
  accountEntityRef,
  roleEntityName,
} from './entityName';
import { OwnerResolver } from './OwnerResolver';
import { permissionSetOf, principalRefs } from './principalRefs';

/** Annotation: the provider id that emitted the entity (used to find its entities again). */
export { ANNOTATION_IAM_PROVIDER };
/** Annotation: where the owner came from (`tag:<key>`, `rule`, `default`, `none`). */
export const ANNOTATION_IAM_OWNER_SOURCE =
  'iam-roles.backstage-iam.io/owner-source';
/** Annotation: the Identity Center permission set of an `AWSReservedSSO_*` role. */
export const ANNOTATION_IAM_PERMISSION_SET =
  'iam-roles.backstage-iam.io/permission-set';
/** Label: highest severity among the role's trust findings, or `none`. */
export const LABEL_IAM_RISK = 'iam-roles.backstage-iam.io/risk';

function tagValue(
  tags: Record<string, string>,
  keys: string[],
): string | undefined {
  const lower = new Map(
    Object.entries(tags).map(([k, v]) => [
      k.toLocaleLowerCase('en-US'),
      v.trim(),
    ]),
  );
  for (const key of keys) {
    const value = lower.get(key.toLocaleLowerCase('en-US'));
    if (value) {
      return value;
    }
  }
  return undefined;
}

function refOf(value: string, kind: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(value.trim(), {
        defaultKind: kind,
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

function trustTags(
  kinds: Iterable<string>,
  providers: Iterable<string>,
): string[] {
  const tags = new Set<string>();
  for (const kind of kinds) {
    tags.add(`trust-${kind}`);
  }
  for (const provider of providers) {
    const clean = provider
      .toLocaleLowerCase('en-US')
      .replace(/[^a-z0-9]+/g, '-');
    if (clean) {
      tags.add(`trust-${clean}`.slice(0, 63).replace(/-+$/, ''));
    }
  }
  return [...tags].sort();
}

/** The text with lone UTF-16 surrogates (a hand-edited snapshot may hold them) replaced, so it can be URL-encoded. */
function wellFormed(text: string): string {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

function rawText(doc: unknown): string | undefined {
  if (doc === undefined || doc === null) {
    return undefined;
  }
  return typeof doc === 'string' ? doc : JSON.stringify(doc);
}

/** Options of {@link EntityBuilder}. */
export interface EntityBuilderOptions {
  providerId: string;
  owners: OwnerResolver;
  /** Every account read completely (this run or kept from earlier runs). */
  accounts: AccountRead[];
  internalAccounts: string[];
  emitAccounts: boolean;
  accountNames: Record<string, string>;
  accountOwners: Record<string, string>;
  systemTagKeys: string[];
  componentTagKeys: string[];
  permissionSets: Record<string, string[]>;
  /** Partition of account entities whose roles do not tell (an account without roles). Default `aws`. */
  partition?: string;
  /** Identity Center assignments, Pod Identity associations and RCPs, when any are read. */
  effective?: EffectiveAccessIndex;
  /** A trust policy longer than this (characters as read) is not decoded nor analysed: an `invalid-policy` finding. */
  maxPolicyDocumentBytes?: number;
}

/** The IAM console of each partition. */
const CONSOLE_HOSTS: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-cn': 'console.amazonaws.cn',
};

function partitionOf(arn: string): string | undefined {
  return parseArn(arn)?.partition || undefined;
}

/**
 * Turns the roles of an account into catalog entities. Built once per refresh over every account
 * read completely, so that trust between accounts (role → role, account → role) becomes relations.
 */
export class EntityBuilder {
  private readonly roleRefs = new Map<string, string>();
  private readonly rolesByAccount = new Map<string, Set<string>>();
  private readonly internal: string[];
  private readonly permissionSets: Map<string, string[]>;

  private constructor(private readonly options: EntityBuilderOptions) {
    for (const account of options.accounts) {
      const names = new Set<string>();
      for (const role of account.roles) {
        this.roleRefs.set(
          roleKey(role.accountId, role.roleName),
          `resource:default/${roleEntityName(
            role.accountId,
            role.roleName,
            role.arn,
          )}`.toLocaleLowerCase('en-US'),
        );
        names.add(role.roleName.toLocaleLowerCase('en-US'));
      }
      this.rolesByAccount.set(account.accountId, names);
    }
    this.internal = [
      ...new Set([
        ...options.internalAccounts,
        ...options.accounts.map(a => a.accountId),
      ]),
    ];
    this.permissionSets = new Map(
      Object.entries(options.permissionSets).map(([set, groups]) => [
        set,
        groups.map(g => options.owners.normalizeConfigured(g)),
      ]),
    );
  }

  static create(options: EntityBuilderOptions): EntityBuilder {
    return new EntityBuilder(options);
  }

  /** The account's entity (when emitted) followed by one entity per role. */
  buildAccount(read: AccountRead): Entity[] {
    const entities: Entity[] = [];
    if (this.options.emitAccounts) {
      entities.push(this.accountEntity(read));
    }
    for (const role of read.roles) {
      entities.push(this.roleEntity(role, read));
    }
    return entities;
  }

  /** Whether a principal ARN is a role or user that exists, for the dangling-principal finding. */
  private knownPrincipal = (arn: string): boolean | undefined => {
    const role = parseRoleArn(arn);
    if (!role || role.session !== undefined) {
      return undefined;
    }
    const names = this.rolesByAccount.get(role.accountId);
    return names ? names.has(role.name.toLocaleLowerCase('en-US')) : undefined;
  };

  private accountLabel(accountId: string): string {
    const name = this.options.accountNames[accountId];
    return name ? `${name} (${accountId})` : accountId;
  }

  private commonAnnotations(read: AccountRead): Record<string, string> {
    return {
      'backstage.io/managed-by-location': read.location,
      'backstage.io/managed-by-origin-location': read.location,
      [ANNOTATION_AWS_ACCOUNT_ID]: read.accountId,
      [ANNOTATION_IAM_PROVIDER]: this.options.providerId,
    };
  }

  private accountEntity(read: AccountRead): Entity {
    // The roles read tell the partition (snapshots hold any); the configuration says it otherwise.
    const partition =
      (read.roles[0] && partitionOf(read.roles[0].arn)) ??
      this.options.partition ??
      'aws';
    const rootArn = `arn:${partition}:iam::${read.accountId}:root`;
    const eksClusters =
      this.options.effective?.eksClustersOf(read.accountId) ?? [];
    const configuredOwner = this.options.accountOwners[read.accountId];
    const owner = configuredOwner
      ? this.options.owners.normalizeConfigured(configuredOwner)
      : this.options.owners.resolve({
          roleName: '',
          path: '/',
          tags: {},
          arn: rootArn,
        }).owner;
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: accountEntityName(read.accountId),
        title: accountEntityTitle(
          read.accountId,
          this.options.accountNames[read.accountId],
        ),
        description: `AWS account ${this.accountLabel(read.accountId)}: ${
          read.roles.length
        } IAM roles.`,
        annotations: {
          ...this.commonAnnotations(read),
          [ANNOTATION_AWS_ARN]: rootArn,
          // No read time on any entity: an entity changes only when what AWS holds does, so a
          // refresh with nothing changed writes nothing (the data_age metric says how fresh).
        },
        tags: ['aws', 'aws-account'],
      },
      spec: {
        type: AWS_ACCOUNT_RESOURCE_TYPE,
        owner,
        // The account's EKS clusters with their OIDC issuers: IRSA trust then names a cluster, not an id.
        ...(eksClusters.length > 0 ? { eksClusters } : {}),
      },
    };
  }

  /** Why a trust policy document is too large to read, or undefined when it is not. */
  private oversizeReason(doc: unknown): string | undefined {
    const limit = this.options.maxPolicyDocumentBytes;
    if (limit === undefined || doc === undefined || doc === null) {
      return undefined;
    }
    let size: number;
    if (typeof doc === 'string') {
      size = doc.length;
    } else {
      try {
        size = JSON.stringify(doc)?.length ?? 0;
      } catch {
        return undefined;
      }
    }
    return size > limit
      ? `the document is ${size} characters long, more than the provider's maxPolicyDocumentBytes of ${limit}; it was not read`
      : undefined;
  }

  private roleEntity(role: RoleRecord, read: AccountRead): IamRoleEntity {
    const oversize = this.oversizeReason(role.assumeRolePolicyDocument);
    // Decoded once here; the engine then reads the object instead of decoding again.
    const decoded = oversize
      ? { value: undefined }
      : decodePolicyDocument(role.assumeRolePolicyDocument);
    const analysis = analyzeRole(
      {
        arn: role.arn,
        trustPolicy: decoded.value ?? role.assumeRolePolicyDocument,
        trustPolicyError: oversize,
        name: role.roleName,
        path: role.path,
      },
      {
        internalAccounts: this.internal,
        knownPrincipalArns: this.knownPrincipal,
      },
    );
    const owner = this.options.owners.resolve(role);
    const via = new Map<string, Set<IamAccessDerivation>>();
    const addVia = (ref: string, derivation: IamAccessDerivation) => {
      const set = via.get(ref) ?? new Set<IamAccessDerivation>();
      set.add(derivation);
      via.set(ref, set);
    };
    principalRefs(analysis, role, {
      roleRefs: this.roleRefs,
      accountRef: accountId =>
        this.options.emitAccounts && this.rolesByAccount.has(accountId)
          ? accountEntityRef(accountId)
          : undefined,
      permissionSets: this.permissionSets,
      via: addVia,
    });
    const effective = this.options.effective?.forRole(role, analysis.policy);
    for (const { entityRef, via: derivation } of effective?.refs ?? []) {
      addVia(entityRef, derivation);
    }
    const assumableBy = [...via.keys()].sort();
    const risk = highestSeverity(analysis.findings);
    const permissionSet = permissionSetOf(role.roleName, role.path);

    const iam: IamRoleSpec = {
      arn: role.arn,
      accountId: role.accountId,
      roleName: role.roleName,
      path: role.path,
      roleId: role.roleId,
      createDate: role.createDate,
      maxSessionDuration: role.maxSessionDuration,
      description: role.description,
      trustPolicy: decoded.value as IamRoleSpec['trustPolicy'],
      // An oversize document is not copied into the entity either.
      trustPolicyRaw:
        decoded.value === undefined && !oversize
          ? rawText(role.assumeRolePolicyDocument)
          : undefined,
      lastUsed: role.lastUsed,
      attachedManagedPolicies: role.attachedManagedPolicies,
      inlinePolicyNames: role.inlinePolicyNames,
      permissionsBoundary: role.permissionsBoundary,
      // The whole finding: the broker and the UI show these, so a role's risk has one source.
      findings: analysis.findings.map(f => ({ ...f })),
      risk,
      identityCenter: effective?.identityCenter,
      podIdentityAssociations: effective?.podIdentityAssociations,
      resourceControlPolicies: effective?.resourceControlPolicies,
      assumableByVia: assumableBy.length
        ? assumableBy.map(entityRef => ({
            entityRef,
            via: [...via.get(entityRef)!].sort(),
          }))
        : undefined,
    };
    // JSON has no undefined: drop absent optional facts so the entity hash stays stable.
    for (const key of Object.keys(iam) as Array<keyof IamRoleSpec>) {
      if (iam[key] === undefined) {
        delete iam[key];
      }
    }

    const system = tagValue(role.tags, this.options.systemTagKeys);
    const component = tagValue(role.tags, this.options.componentTagKeys);
    const systemRef = system ? refOf(system, 'system') : undefined;
    const componentRef = component ? refOf(component, 'component') : undefined;

    const consoleHost =
      CONSOLE_HOSTS[partitionOf(role.arn) ?? 'aws'] ?? CONSOLE_HOSTS.aws;
    const consoleUrl = `https://${consoleHost}/iam/home#/roles/details/${encodeURIComponent(
      wellFormed(role.roleName),
    )}`;
    const annotations: Record<string, string> = {
      ...this.commonAnnotations(read),
      [ANNOTATION_AWS_ARN]: role.arn,
      [ANNOTATION_AWS_ROLE_ID]: role.roleId,
      [ANNOTATION_IAM_OWNER_SOURCE]: owner.source,
      'backstage.io/view-url': consoleUrl,
    };
    if (permissionSet) {
      annotations[ANNOTATION_IAM_PERMISSION_SET] = permissionSet;
    }

    const entity: IamRoleEntity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: roleEntityName(role.accountId, role.roleName, role.arn),
        title: role.roleName,
        description:
          role.description ||
          `IAM role ${role.path}${
            role.roleName
          } in AWS account ${this.accountLabel(role.accountId)}.`,
        annotations,
        links: [
          {
            url: consoleUrl,
            title: `IAM console (account ${this.accountLabel(role.accountId)})`,
            icon: 'cloud',
          },
        ],
        labels: {
          [ANNOTATION_AWS_ACCOUNT_ID]: role.accountId,
          [LABEL_IAM_RISK]: risk,
        },
        tags: [
          'aws',
          'iam-role',
          `risk-${risk}`,
          ...(permissionSet ? ['identity-center'] : []),
          ...(effective?.podIdentityAssociations ? ['pod-identity'] : []),
          ...trustTags(
            // `trust-public` is the engine's one definition of publicly assumable (roleExposure), so
            // the tag, the findings and the inventory's preset agree: a `*` bound to the
            // organisation is no such role, an OIDC provider open to any subject is.
            [
              ...analysis.principals
                .map(p => p.kind)
                .filter(kind => kind !== 'public'),
              ...(roleExposure(analysis.findings) === 'public'
                ? ['public']
                : []),
            ],
            analysis.principals.flatMap(p => (p.provider ? [p.provider] : [])),
          ),
        ],
      },
      spec: {
        type: AWS_IAM_ROLE_RESOURCE_TYPE,
        owner: owner.owner,
        ...(systemRef ? { system: systemRef } : {}),
        ...(componentRef ? { dependencyOf: [componentRef] } : {}),
        ...(this.options.emitAccounts
          ? { dependsOn: [accountEntityRef(role.accountId)] }
          : {}),
        assumableBy,
        iam,
      },
    };
    return entity;
  }
}
