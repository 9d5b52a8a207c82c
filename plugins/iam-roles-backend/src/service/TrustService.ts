import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { DateTime } from 'luxon';
import {
  ANNOTATION_AWS_ACCOUNT_ID,
  ANNOTATION_IAM_APPROVAL_QUORUM,
  AWS_ACCOUNT_RESOURCE_TYPE,
  AWS_IAM_ROLE_RESOURCE_TYPE,
  AssumableRole,
  AssumableRolesResponse,
  TrustIndexState,
  AssumeDecision,
  gitlabJobContext,
  gitlabProjectOf,
  IamRoleEntity,
  PrincipalContext,
  ResolvedPrincipal,
  RoleAnalysis,
  RoleFinding,
  RoleTrustView,
  Severity,
  TrustIndex,
  analyzeRole,
  describePrincipal,
  evaluateAssume,
  isIamRoleEntity,
  parsePrincipalSpec,
} from '@backstage-iam/plugin-iam-roles-common';

/** Annotation of a component: its GitHub repository, `OWNER/REPO`. */
export const ANNOTATION_GITHUB_PROJECT_SLUG = 'github.com/project-slug';
/** Annotation of a component: the EKS service accounts it runs as, `namespace/name[,…]`. */
export const ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS =
  'iam-roles.backstage-iam.io/kubernetes-service-accounts';

const SEVERITY_ORDER: Severity[] = [
  'info',
  'low',
  'medium',
  'high',
  'critical',
];

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

/** A catalog identity that can present itself to AWS. */
interface Identity {
  context: PrincipalContext;
  /** e.g. `github:acme/api@refs/heads/main`. */
  label: string;
}

interface IdentityHolder {
  ref: string;
  ownerRef?: string;
  identities: Identity[];
}

interface Snapshot {
  at: DateTime;
  roles: Map<string, RoleEntry>;
  roleByArn: Map<string, string>;
  accountRefById: Map<string, string>;
  holders: Map<string, IdentityHolder>;
  internalAccounts: Set<string>;
  index: TrustIndex;
  /** Role ref → catalog entities whose identities it admits, with the statement that admits them. */
  admitted: Map<
    string,
    Array<{ entityRef: string; label: string; decision: AssumeDecision }>
  >;
}

function identitiesOf(entity: Entity): Identity[] {
  const out: Identity[] = [];
  const annotations = entity.metadata.annotations ?? {};
  const slug = annotations[ANNOTATION_GITHUB_PROJECT_SLUG];
  if (slug && /^[\w.-]+\/[\w.-]+$/.test(slug.trim())) {
    const [owner, repo] = slug.trim().split('/');
    // The catalog does not know the default branch; `main` is the convention of this portal.
    const ref = 'refs/heads/main';
    out.push({
      context: { type: 'github', owner, repo, ref },
      label: `github:${owner}/${repo}@${ref}`,
    });
  }
  const gitlab = gitlabProjectOf(annotations);
  if (gitlab) {
    // Like GitHub: the default branch, `main` by the convention of this portal.
    out.push({
      context: gitlabJobContext(gitlab),
      label: `gitlab:${gitlab.host === 'gitlab.com' ? '' : `${gitlab.host}:`}${
        gitlab.projectPath
      }@main`,
    });
  }
  const sas = annotations[ANNOTATION_KUBERNETES_SERVICE_ACCOUNTS];
  for (const item of sas?.split(',') ?? []) {
    const [namespace, serviceAccount, extra] = item.trim().split('/');
    if (namespace && serviceAccount && extra === undefined) {
      out.push({
        context: { type: 'eks', namespace, serviceAccount },
        label: `eks:${namespace}/${serviceAccount}`,
      });
    }
  }
  const spec = entity.spec as Record<string, unknown> | undefined;
  const role = asRole(entity);
  if (role) {
    out.push({
      context: { type: 'arn', arn: role.spec.iam.arn },
      label: role.spec.iam.arn,
    });
  } else if (spec?.type === AWS_ACCOUNT_RESOURCE_TYPE) {
    const accountId = annotations[ANNOTATION_AWS_ACCOUNT_ID];
    if (accountId && /^\d{12}$/.test(accountId)) {
      out.push({ context: { type: 'account', accountId }, label: accountId });
    }
  }
  return out;
}

function refOf(e: {
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

/** The entity as a role, when it is one. */
function asRole(entity: Entity): IamRoleEntity | undefined {
  return isIamRoleEntity(entity) ? entity : undefined;
}

function ownerOf(entity: Entity | IamRoleEntity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  return typeof owner === 'string' && owner
    ? normalizeRef(owner, 'group')
    : undefined;
}

function roleKeyOfArn(arn: string): string | undefined {
  // role ARNs with any path, and assumed-role session ARNs, map to account + role name
  const m =
    /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn) ??
    /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/.*$/.exec(arn);
  return m ? `${m[1]}:${m[2].toLocaleLowerCase('en-US')}` : undefined;
}

function untrustedReason(decision: AssumeDecision): string {
  if (decision.outcome === 'possible') {
    return `The role trusts the broker only if: ${decision.conditions
      .map(c => `${c.operator} ${c.key} ${c.values.join(', ')}`)
      .join('; ')}`;
  }
  if (decision.outcome === 'allowed') {
    return `The role lets the broker in only through ${decision.via}, not sts:AssumeRole; add the statement below.`;
  }
  return 'The trust policy does not let the broker assume this role; add the statement below.';
}

const RANK: Record<string, number> = { allowed: 2, possible: 1 };

function indexState(snapshot: Snapshot): TrustIndexState {
  return { roles: snapshot.roles.size, builtAt: snapshot.at.toUTC().toISO()! };
}

/**
 * Answers trust questions over every `aws-iam-role` entity with the trust engine. The roles are read
 * from the catalog on a schedule (and on first use), never per request.
 */
export class TrustService {
  private snapshot?: Snapshot;
  private loading?: Promise<Snapshot>;

  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly options: {
      internalAccounts: string[];
      brokerPrincipalArn?: string;
      maxAgeSeconds: number;
    },
  ) {}

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    internalAccounts: string[];
    brokerPrincipalArn?: string;
    refreshIntervalSeconds: number;
  }): TrustService {
    return new TrustService(options.catalog, options.auth, options.logger, {
      internalAccounts: options.internalAccounts,
      brokerPrincipalArn: options.brokerPrincipalArn,
      // A snapshot older than two refresh periods means the scheduler is not running here; reload.
      maxAgeSeconds: options.refreshIntervalSeconds * 2,
    });
  }

  /** Reads all role, account and component entities and rebuilds the index. */
  async refresh(): Promise<void> {
    if (!this.loading) {
      this.loading = this.load().finally(() => {
        this.loading = undefined;
      });
    }
    this.snapshot = await this.loading;
  }

  private async current(): Promise<Snapshot> {
    const snapshot = this.snapshot;
    if (!snapshot) {
      await this.refresh();
      return this.snapshot!;
    }
    const age = DateTime.now().diff(snapshot.at, 'seconds').seconds;
    // An empty index at start-up usually means the catalog had not ingested the roles yet.
    const maxAge = snapshot.roles.size === 0 ? 5 : this.options.maxAgeSeconds;
    if (age > maxAge && !this.loading) {
      // Stale: answer from what we have and reload in the background.
      this.refresh().catch(error =>
        this.logger.warn(`Refreshing the trust index failed: ${error}`),
      );
    }
    return snapshot;
  }

  private async load(): Promise<Snapshot> {
    const started = Date.now();
    const credentials = await this.auth.getOwnServiceCredentials();
    const entities: Entity[] = [];
    for await (const page of this.catalog.streamEntities(
      {
        filter: [
          {
            kind: 'resource',
            'spec.type': [
              AWS_IAM_ROLE_RESOURCE_TYPE,
              AWS_ACCOUNT_RESOURCE_TYPE,
            ],
          },
          { kind: 'component' },
        ],
      },
      { credentials },
    )) {
      entities.push(...page);
    }

    const roleEntities = entities
      .map(asRole)
      .filter((e): e is IamRoleEntity => e !== undefined);
    const internalAccounts = new Set(this.options.internalAccounts);
    for (const e of roleEntities) {
      internalAccounts.add(e.spec.iam.accountId);
    }
    const accountRefById = new Map<string, string>();
    for (const e of entities) {
      const id = e.metadata.annotations?.[ANNOTATION_AWS_ACCOUNT_ID];
      if (
        (e.spec as { type?: string } | undefined)?.type ===
          AWS_ACCOUNT_RESOURCE_TYPE &&
        id
      ) {
        internalAccounts.add(id);
        accountRefById.set(id, refOf(e));
      }
    }
    const roleByArn = new Map<string, string>();
    for (const e of roleEntities) {
      const key = roleKeyOfArn(e.spec.iam.arn);
      if (key) {
        roleByArn.set(key, refOf(e));
      }
    }
    const knownPrincipalArns = (arn: string) => {
      const key = roleKeyOfArn(arn);
      if (!key) {
        return undefined;
      }
      // Only a claim about accounts whose roles the catalog holds.
      return internalAccounts.has(key.split(':')[0])
        ? roleByArn.has(key)
        : undefined;
    };

    const roles = new Map<string, RoleEntry>();
    for (const e of roleEntities) {
      const ref = refOf(e);
      const analysis = analyzeRole(
        {
          arn: e.spec.iam.arn,
          trustPolicy: e.spec.iam.trustPolicy ?? e.spec.iam.trustPolicyRaw,
          name: e.spec.iam.roleName,
          path: e.spec.iam.path,
        },
        { internalAccounts: [...internalAccounts], knownPrincipalArns },
      );
      const quorum = Number(
        e.metadata.annotations?.[ANNOTATION_IAM_APPROVAL_QUORUM],
      );
      roles.set(ref, {
        ref,
        entity: e,
        arn: e.spec.iam.arn,
        title: e.metadata.title ?? e.metadata.name,
        ownerRef: ownerOf(e) ?? '',
        quorum: Number.isInteger(quorum) && quorum > 0 ? quorum : undefined,
        analysis,
      });
    }
    const index = TrustIndex.build(
      [...roles.values()].map(r => ({ key: r.ref, analysis: r.analysis })),
    );

    const holders = new Map<string, IdentityHolder>();
    const admitted: Snapshot['admitted'] = new Map();
    for (const e of entities) {
      const identities = identitiesOf(e);
      if (identities.length === 0) {
        continue;
      }
      const ref = refOf(e);
      holders.set(ref, { ref, ownerRef: ownerOf(e), identities });
      for (const identity of identities) {
        if (
          identity.context.type === 'arn' ||
          identity.context.type === 'account'
        ) {
          continue; // roles and accounts resolve by ARN / id, not by evaluation
        }
        for (const hit of index.lookup(identity.context)) {
          if (!RANK[hit.decision.outcome]) {
            continue;
          }
          const list = admitted.get(hit.key) ?? [];
          list.push({
            entityRef: ref,
            label: identity.label,
            decision: hit.decision,
          });
          admitted.set(hit.key, list);
        }
      }
    }
    this.logger.info(
      `Trust index rebuilt: ${roles.size} roles, ${
        holders.size
      } entities with AWS identities, in ${Date.now() - started} ms`,
    );
    return {
      at: DateTime.now(),
      roles,
      roleByArn,
      accountRefById,
      holders,
      internalAccounts,
      index,
      admitted,
    };
  }

  /** The owner of a role as of the last refresh, without waiting (undefined when unknown). */
  peekOwner(roleRef: string): string | undefined {
    return this.snapshot?.roles.get(roleRef)?.ownerRef || undefined;
  }

  /** A role by entity ref: from the index, or from the catalog when it appeared since the last refresh. */
  async getRole(roleRef: string): Promise<RoleEntry | undefined> {
    const ref = normalizeRef(roleRef, 'resource');
    const snapshot = await this.current();
    const known = snapshot.roles.get(ref);
    if (known) {
      return known;
    }
    const found = await this.catalog.getEntityByRef(ref, {
      credentials: await this.auth.getOwnServiceCredentials(),
    });
    const entity = found && asRole(found);
    if (!entity) {
      return undefined;
    }
    // A new role: make it known to every query, but rebuild at most every 10 seconds for it.
    if (DateTime.now().diff(snapshot.at, 'seconds').seconds > 10) {
      this.refresh().catch(error =>
        this.logger.warn(`Refreshing the trust index failed: ${error}`),
      );
    }
    const quorum = Number(
      entity.metadata.annotations?.[ANNOTATION_IAM_APPROVAL_QUORUM],
    );
    return {
      ref,
      entity,
      arn: entity.spec.iam.arn,
      title: entity.metadata.title ?? entity.metadata.name,
      ownerRef: ownerOf(entity) ?? '',
      quorum: Number.isInteger(quorum) && quorum > 0 ? quorum : undefined,
      analysis: analyzeRole(
        {
          arn: entity.spec.iam.arn,
          trustPolicy:
            entity.spec.iam.trustPolicy ?? entity.spec.iam.trustPolicyRaw,
          name: entity.spec.iam.roleName,
          path: entity.spec.iam.path,
        },
        { internalAccounts: [...snapshot.internalAccounts] },
      ),
    };
  }

  /** The trust statement a role needs so that the broker can assume it on a user's behalf. */
  requiredBrokerStatement(): Record<string, unknown> | undefined {
    if (!this.options.brokerPrincipalArn) {
      return undefined;
    }
    return {
      Sid: 'BackstageAccessBroker',
      Effect: 'Allow',
      Principal: { AWS: this.options.brokerPrincipalArn },
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
    };
  }

  /** Whether the role's trust policy lets the broker in. */
  brokerTrust(analysis: RoleAnalysis): RoleTrustView['broker'] & {
    principalArn?: string;
    outcome?: string;
    reason?: string;
  } {
    const principalArn = this.options.brokerPrincipalArn;
    if (!principalArn) {
      return {
        trusted: false,
        reason:
          'The broker principal is not configured (iamRoles.broker.sts.brokerPrincipalArn), so trust in the broker cannot be checked.',
      };
    }
    if (!analysis.policy) {
      return {
        trusted: false,
        principalArn,
        outcome: 'not-trusted',
        reason: 'The trust policy could not be read.',
        requiredStatement: this.requiredBrokerStatement(),
      };
    }
    const decision = evaluateAssume(
      analysis.policy,
      parsePrincipalSpec(principalArn),
    );
    const trusted =
      decision.outcome === 'allowed' && decision.via === 'sts:AssumeRole';
    return {
      trusted,
      principalArn,
      outcome: decision.outcome,
      reason: trusted ? undefined : untrustedReason(decision),
      requiredStatement: trusted ? undefined : this.requiredBrokerStatement(),
    };
  }

  /** `GET /roles/trust`: the analysis with principals resolved to catalog entities. */
  async roleTrust(roleRef: string): Promise<RoleTrustView> {
    const role = await this.getRole(roleRef);
    if (!role) {
      throw new NotFoundError(
        `No aws-iam-role entity ${roleRef} in the catalog`,
      );
    }
    const snapshot = await this.current();
    const admitted = snapshot.admitted.get(role.ref) ?? [];
    const principals: ResolvedPrincipal[] = role.analysis.principals.map(p => {
      let entityRef: string | undefined;
      if (p.kind === 'role' || p.kind === 'assumed-role') {
        const key = roleKeyOfArn(p.id);
        entityRef = key ? snapshot.roleByArn.get(key) : undefined;
      } else if (p.kind === 'account') {
        entityRef = snapshot.accountRefById.get(p.id);
      } else if (p.kind === 'oidc' || p.kind === 'service') {
        entityRef = admitted.find(
          a => a.decision.statementIndex === p.statementIndex,
        )?.entityRef;
      }
      return {
        ...p,
        description: describePrincipal(p),
        entityRef,
        external: p.accountId
          ? !snapshot.internalAccounts.has(p.accountId)
          : undefined,
      };
    });
    return {
      entityRef: role.ref,
      analysis: role.analysis,
      principals,
      broker: this.brokerTrust(role.analysis),
    };
  }

  private toAssumable(
    snapshot: Snapshot,
    hits: Array<{ key: string; decision: AssumeDecision; matchedBy?: string }>,
  ): AssumableRole[] {
    const best = new Map<string, (typeof hits)[number]>();
    for (const hit of hits) {
      if (!RANK[hit.decision.outcome]) {
        continue;
      }
      const prev = best.get(hit.key);
      if (!prev || RANK[hit.decision.outcome] > RANK[prev.decision.outcome]) {
        best.set(hit.key, hit);
      }
    }
    const out: AssumableRole[] = [];
    for (const hit of best.values()) {
      const role = snapshot.roles.get(hit.key);
      if (!role) {
        continue;
      }
      out.push({
        entityRef: role.ref,
        arn: role.arn,
        title: role.title,
        owner: role.ownerRef || undefined,
        outcome: hit.decision.outcome,
        via: hit.decision.via,
        conditions: hit.decision.conditions,
        findings: role.analysis.findings,
        matchedBy: hit.matchedBy,
      });
    }
    return out.sort(
      (a, b) =>
        RANK[b.outcome] - RANK[a.outcome] ||
        a.entityRef.localeCompare(b.entityRef),
    );
  }

  /** `GET /assumable`: roles a component, group (through its components), role or account can assume. */
  async assumable(entityRef: string): Promise<AssumableRolesResponse> {
    let ref: string;
    try {
      ref = normalizeRef(entityRef, 'component');
    } catch (error) {
      throw new InputError(
        `entityRef must be an entity reference such as component:default/payments-api: ${error}`,
      );
    }
    const snapshot = await this.current();
    const kind = parseEntityRef(ref).kind;
    let identities: Identity[];
    if (kind === 'group') {
      identities = [...snapshot.holders.values()]
        .filter(h => h.ownerRef === ref)
        .flatMap(h => h.identities);
    } else {
      identities = snapshot.holders.get(ref)?.identities ?? [];
    }
    const hits = identities.flatMap(identity =>
      snapshot.index
        .lookup(identity.context)
        .map(hit => ({ ...hit, matchedBy: identity.label })),
    );
    return {
      query: ref,
      principals: identities.map(i => i.context),
      roles: this.toAssumable(snapshot, hits).filter(r => r.entityRef !== ref),
      index: indexState(snapshot),
    };
  }

  /** `GET /lookup`: what a principal (ARN, account, `github:OWNER/REPO[@REF]`, `service:NAME`, OIDC provider) can assume. */
  async lookup(q: string): Promise<AssumableRolesResponse> {
    let query = q.trim();
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/i.test(query)) {
      query = `service:${query}`; // a service principal, written bare
    }
    if (!query) {
      throw new InputError(
        'q is required: an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO[@REF], service:NAME, or an OIDC provider host',
      );
    }
    const snapshot = await this.current();
    // An OIDC/SAML provider (host or provider ARN): every role that trusts it, whatever the subject.
    const provider =
      /^arn:aws[\w-]*:iam::\d{12}:(oidc|saml)-provider\/(.+)$/.exec(
        query,
      )?.[2] ??
      (/^[a-z0-9.-]+\.[a-z]{2,}(\/.*)?$/i.test(query) ? query : undefined);
    if (provider) {
      const needle = provider.toLocaleLowerCase('en-US');
      const roles: AssumableRole[] = [];
      for (const role of snapshot.roles.values()) {
        const p = role.analysis.principals.find(
          x =>
            (x.kind === 'oidc' || x.kind === 'saml') &&
            x.id.toLocaleLowerCase('en-US').endsWith(needle),
        );
        if (p) {
          roles.push({
            entityRef: role.ref,
            arn: role.arn,
            title: role.title,
            owner: role.ownerRef || undefined,
            outcome: 'possible',
            via: p.actions.find(a => /AssumeRoleWith/i.test(a)) ?? p.actions[0],
            conditions: p.conditions,
            findings: role.analysis.findings,
            matchedBy: p.id,
          });
        }
      }
      return { query, principals: [], roles, index: indexState(snapshot) };
    }
    let contexts: PrincipalContext[];
    try {
      // `github:OWNER/REPO` without a ref stands for any ref of the repository.
      contexts = [parsePrincipalSpec(query)];
    } catch (error) {
      throw new InputError(
        `Cannot read "${query}" as a principal: ${
          (error as Error).message
        }. Use an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO[@REF], service:NAME, or an OIDC provider host.`,
      );
    }
    const hits = contexts.flatMap(c =>
      snapshot.index.lookup(c).map(hit => ({ ...hit, matchedBy: query })),
    );
    return {
      query,
      principals: contexts,
      roles: this.toAssumable(snapshot, hits),
      index: indexState(snapshot),
    };
  }

  /** `GET /findings`: findings across all roles, optionally for one owner and at or above a severity. */
  async findings(filter: {
    owner?: string;
    severity?: Severity;
  }): Promise<RoleFinding[]> {
    const snapshot = await this.current();
    const owner = filter.owner
      ? normalizeRef(filter.owner, 'group')
      : undefined;
    const min = filter.severity ? SEVERITY_ORDER.indexOf(filter.severity) : 0;
    const out: RoleFinding[] = [];
    for (const role of snapshot.roles.values()) {
      if (owner && role.ownerRef !== owner) {
        continue;
      }
      for (const finding of role.analysis.findings) {
        if (SEVERITY_ORDER.indexOf(finding.severity) >= min) {
          out.push({
            entityRef: role.ref,
            arn: role.arn,
            title: role.title,
            owner: role.ownerRef || undefined,
            finding,
          });
        }
      }
    }
    return out.sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(b.finding.severity) -
          SEVERITY_ORDER.indexOf(a.finding.severity) ||
        a.entityRef.localeCompare(b.entityRef),
    );
  }
}
