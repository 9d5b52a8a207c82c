import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { DateTime } from 'luxon';
import {
  AWS_ACCOUNT_RESOURCE_TYPE,
  AWS_IAM_ROLE_RESOURCE_TYPE,
  AssumableRole,
  AssumableRolesResponse,
  AssumeDecision,
  ChainedRole,
  ChainHop,
  TrustIndexMatch,
  applyResourceControlPolicies,
  findReach,
  PrincipalContext,
  ResolvedPrincipal,
  RoleAnalysis,
  RoleFinding,
  RoleTrustView,
  Severity,
  TrustAnalysisCache,
  TrustIndexState,
  describeCondition,
  describePrincipal,
  evaluateAssume,
  isAtLeast,
  isEmittedIamRoleEntity,
  matchWorkload,
  parsePrincipalSpec,
  roleKeyOfArn,
  severityRank,
  workloadContexts,
  workloadIdentityOfContext,
} from '@backstage-iam/plugin-iam-roles-common';
import {
  buildTrustSnapshot,
  normalizeRef,
  refOf,
  RoleEntry,
  toRoleEntry,
  TrustSnapshot,
} from './TrustSnapshot';

/** How far `/lookup` follows role chains, and how many chained roles it lists at most. */
const CHAIN_DEPTH = 5;
const CHAIN_ROLES = 500;

/** A role (`key`) whose sessions another role admits, and how: an index match, the other way round. */
type RoleCaller = TrustIndexMatch;

export { normalizeRef } from './TrustSnapshot';
export type { RoleEntry } from './TrustSnapshot';

function untrustedReason(decision: AssumeDecision): string {
  if (decision.outcome === 'possible') {
    return `The role trusts the broker only if ${decision.conditions
      .map(describeCondition)
      .join(', and ')}.`;
  }
  if (decision.outcome === 'allowed') {
    return `The role lets the broker in only through ${decision.via}, not sts:AssumeRole; add the statement below.`;
  }
  return 'The trust policy does not let the broker assume this role; add the statement below.';
}

const RANK: Record<string, number> = { allowed: 2, possible: 1 };

function indexState(snapshot: TrustSnapshot): TrustIndexState {
  return { roles: snapshot.roles.size, builtAt: snapshot.at.toUTC().toISO()! };
}

/** One answer row before it becomes an {@link AssumableRole}. */
interface Hit {
  key: string;
  decision: AssumeDecision;
  matchedBy?: string;
  through?: string;
}

/**
 * Answers trust questions over the `aws-iam-role` entities the catalog module emitted. The roles are
 * read from the catalog on a schedule (and on first use), never per request; who can assume a role in
 * catalog terms is what the catalog's `assumableBy` / `canAssume` relations say (the catalog module
 * computes them with -common's one mapping), so the graph and these answers agree. The snapshot is
 * built by {@link buildTrustSnapshot}.
 */
export class TrustService {
  private snapshot?: TrustSnapshot;
  private loading?: Promise<TrustSnapshot>;
  private readonly analyses = TrustAnalysisCache.create();
  /** Reverse role-to-role edges, per snapshot (a new snapshot starts empty). */
  private readonly callers = new WeakMap<
    TrustSnapshot,
    Map<string, RoleCaller[]>
  >();

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
    /** `iamRoles.internalAccounts` (readInternalAccounts). */
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

  private async current(): Promise<TrustSnapshot> {
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

  private async load(): Promise<TrustSnapshot> {
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
    const snapshot = buildTrustSnapshot(entities, {
      internalAccounts: this.options.internalAccounts,
      cache: this.analyses,
    });
    if (snapshot.refused > 0) {
      this.logger.warn(
        `Trust index: ${snapshot.refused} Resource entities look like IAM roles but were not emitted by the catalog module (backstage.io/managed-by-location is not aws-iam-account:… or aws-iam-snapshot:…); they are not treated as roles`,
      );
    }
    this.logger.info(
      `Trust index rebuilt: ${snapshot.roles.size} roles, ${
        snapshot.workloads.size
      } entities with workload identities, in ${Date.now() - started} ms`,
    );
    return snapshot;
  }

  /** The owner of a role as of the last refresh, without waiting (undefined when unknown). */
  peekOwner(roleRef: string): string | undefined {
    return this.snapshot?.roles.get(roleRef)?.ownerRef || undefined;
  }

  /**
   * A role by entity ref: from the index, or from the catalog when it appeared since the last refresh.
   * Only roles the catalog module emitted count: a look-alike someone registered is not a role here.
   */
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
    if (!found || !isEmittedIamRoleEntity(found)) {
      return undefined;
    }
    // A new role: make it known to every query, but rebuild at most every 10 seconds for it.
    if (DateTime.now().diff(snapshot.at, 'seconds').seconds > 10) {
      this.refresh().catch(error =>
        this.logger.warn(`Refreshing the trust index failed: ${error}`),
      );
    }
    return toRoleEntry(found, this.analyses);
  }

  /** The users who are members of any of the groups, from the catalog (sorted refs). */
  async membersOf(groupRefs: string[]): Promise<string[]> {
    if (groupRefs.length === 0) {
      return [];
    }
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'user', 'relations.memberOf': groupRefs },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return [...new Set(items.map(refOf))].sort();
  }

  /** Display names of catalog entities (a user's profile name, else the title), by normalised ref. */
  async displayNames(refs: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const unique = [...new Set(refs.map(r => normalizeRef(r)))];
    if (unique.length === 0) {
      return names;
    }
    const { items } = await this.catalog.getEntitiesByRefs(
      {
        entityRefs: unique,
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile.displayName',
        ],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    for (const e of items) {
      if (!e) continue;
      const profile = (e.spec as { profile?: { displayName?: unknown } })
        ?.profile;
      const name =
        (typeof profile?.displayName === 'string' && profile.displayName) ||
        e.metadata.title;
      if (name) {
        names.set(refOf(e), name);
      }
    }
    return names;
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

  /**
   * How one catalog entity that the relations say can assume a role gets in: the best context of its
   * workload identities (-common's `matchWorkload`), its role or account ARN, or the role's SAML
   * provider for a group (Identity Center).
   */
  private holderDecision(
    snapshot: TrustSnapshot,
    role: RoleEntry,
    holderRef: string,
  ): Hit {
    const policy = role.analysis.policy;
    const workload = snapshot.workloads.get(holderRef);
    let best: Hit | undefined;
    const consider = (hit: Hit) => {
      const rank = RANK[hit.decision.outcome] ?? 0;
      if (rank > 0 && (!best || rank > RANK[best.decision.outcome])) {
        best = hit;
      }
    };
    for (const identity of workload?.identities ?? []) {
      const m = matchWorkload(role.analysis, identity);
      if (m) {
        consider({ key: role.ref, decision: m.decision, matchedBy: m.label });
      }
    }
    if (!best && policy) {
      const kind = parseEntityRef(holderRef).kind;
      const holderRole = snapshot.roles.get(holderRef);
      if (holderRole) {
        consider({
          key: role.ref,
          decision: evaluateAssume(policy, {
            type: 'arn',
            arn: holderRole.arn,
          }),
          matchedBy: holderRole.arn,
        });
      }
      for (const [accountId, ref] of snapshot.accountRefById) {
        if (ref === holderRef) {
          consider({
            key: role.ref,
            decision: evaluateAssume(policy, { type: 'account', accountId }),
            matchedBy: accountId,
          });
        }
      }
      if (kind === 'group') {
        for (const p of role.analysis.principals) {
          if (p.kind === 'saml') {
            consider({
              key: role.ref,
              decision: evaluateAssume(policy, {
                type: 'saml',
                provider: p.id,
              }),
              matchedBy: p.id,
            });
          }
        }
      }
    }
    // The relation stands even where no evaluation settles it (e.g. written into spec.assumableBy):
    // shown as possible, never dropped, so the tab never says less than the graph.
    return (
      best ?? {
        key: role.ref,
        decision: { outcome: 'possible', conditions: [] },
        matchedBy: 'a catalog relation (assumableBy)',
      }
    );
  }

  /** `GET /roles/trust`: the analysis with principals resolved to catalog entities. */
  async roleTrust(roleRef: string): Promise<RoleTrustView> {
    const role = await this.getRole(roleRef);
    if (!role) {
      throw new NotFoundError(
        `No aws-iam-role entity ${roleRef} emitted by the catalog module in the catalog`,
      );
    }
    const snapshot = await this.current();
    const holders = (snapshot.assumableBy.get(role.ref) ?? []).map(ref => ({
      ref,
      hit: this.holderDecision(snapshot, role, ref),
    }));
    const principals: ResolvedPrincipal[] = role.analysis.principals.map(p => {
      let entityRef: string | undefined;
      if (p.kind === 'role' || p.kind === 'assumed-role') {
        const key = roleKeyOfArn(p.id);
        entityRef = key ? snapshot.roleByKey.get(key) : undefined;
      } else if (p.kind === 'account') {
        entityRef = snapshot.accountRefById.get(p.id);
      } else if (p.kind === 'oidc' || p.kind === 'saml') {
        entityRef = holders.find(
          h =>
            h.hit.decision.statementIndex === p.statementIndex &&
            (p.kind === 'saml'
              ? parseEntityRef(h.ref).kind === 'group'
              : snapshot.workloads.has(h.ref)),
        )?.ref;
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
    const reachableFrom = this.reachableFrom(snapshot, role.ref);
    return {
      entityRef: role.ref,
      analysis: role.analysis,
      principals,
      ...(reachableFrom.length ? { reachableFrom } : {}),
      broker: this.brokerTrust(role.analysis),
    };
  }

  /**
   * Which roles can assume which, the other way round: for every role, the roles whose sessions it
   * admits (with the decision, RCPs applied). Built once per snapshot, on first use, from one index
   * lookup per role.
   */
  private callersOf(snapshot: TrustSnapshot): Map<string, RoleCaller[]> {
    const cached = this.callers.get(snapshot);
    if (cached) return cached;
    const callers = new Map<string, RoleCaller[]>();
    for (const from of snapshot.roles.values()) {
      const caller: PrincipalContext = { type: 'arn', arn: from.arn };
      for (const match of snapshot.index.lookup(caller)) {
        if (match.key === from.ref) continue;
        const target = snapshot.roles.get(match.key);
        const policies = target?.entity.spec.iam.resourceControlPolicies;
        const decision =
          policies?.length && target
            ? applyResourceControlPolicies({
                decision: match.decision,
                principal: caller,
                roleArn: target.arn,
                policies,
              })
            : match.decision;
        if (decision.outcome !== 'allowed' && decision.outcome !== 'possible')
          continue;
        const list = callers.get(match.key) ?? [];
        list.push({ key: from.ref, decision });
        callers.set(match.key, list);
      }
    }
    this.callers.set(snapshot, callers);
    return callers;
  }

  /** The roles that reach `roleRef` through role chaining, nearest first, each with its path. */
  private reachableFrom(
    snapshot: TrustSnapshot,
    roleRef: string,
  ): ChainedRole[] {
    const role = snapshot.roles.get(roleRef);
    if (!role) return [];
    const callers = this.callersOf(snapshot);
    // The engine's own reach, over the edges turned round: from this role's session, each "hop"
    // is a role that can assume the one before it.
    const back = findReach(
      {
        lookup: caller => {
          const key =
            caller.type === 'arn' ? roleKeyOfArn(caller.arn) : undefined;
          const ref = key ? snapshot.roleByKey.get(key) : undefined;
          return (ref && callers.get(ref)) || [];
        },
      },
      { type: 'arn', arn: role.arn },
      {
        maxDepth: CHAIN_DEPTH,
        maxRoles: CHAIN_ROLES,
        arnOf: key => snapshot.roles.get(key)?.arn,
      },
    );
    const title = (key: string) => snapshot.roles.get(key)?.title ?? key;
    const reached: ChainedRole[] = [];
    for (const r of back.roles) {
      const start = snapshot.roles.get(r.key);
      if (!start) continue;
      // Hop i holds the decision of its role assuming the role of hop i-1 (hop -1: this role): read
      // forwards, the starting role assumes hops[n-2], …, hops[0], then this role.
      const hops = r.paths[0].hops;
      const targets = [
        ...hops
          .slice(0, -1)
          .map(h => h.key)
          .reverse(),
        roleRef,
      ];
      const path: ChainHop[] = [...hops].reverse().map((h, i) => ({
        entityRef: targets[i],
        arn: snapshot.roles.get(targets[i])?.arn ?? targets[i],
        title: title(targets[i]),
        outcome: h.outcome,
        via: h.via,
        conditions: h.conditions,
      }));
      reached.push({
        entityRef: start.ref,
        arn: start.arn,
        title: start.title,
        owner: start.ownerRef || undefined,
        depth: r.depth,
        outcome: r.outcome,
        path,
        holders: snapshot.assumableBy.get(start.ref) ?? [],
      });
    }
    return reached;
  }

  private toAssumable(snapshot: TrustSnapshot, hits: Hit[]): AssumableRole[] {
    const best = new Map<string, Hit>();
    for (const hit of hits) {
      if (!RANK[hit.decision.outcome]) {
        continue;
      }
      const prev = best.get(hit.key);
      if (
        !prev ||
        RANK[hit.decision.outcome] > RANK[prev.decision.outcome] ||
        (prev.through && !hit.through)
      ) {
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
        ...(hit.through ? { through: hit.through } : {}),
      });
    }
    return out.sort(
      (a, b) =>
        RANK[b.outcome] - RANK[a.outcome] ||
        a.entityRef.localeCompare(b.entityRef),
    );
  }

  /**
   * `GET /assumable`: the roles a catalog entity can assume, as the catalog's `canAssume` relations
   * say; for a group also those of the entities it owns (marked `through`).
   */
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
    const holders: Array<{ holder: string; through?: string }> = [
      { holder: ref },
    ];
    if (parseEntityRef(ref).kind === 'group') {
      for (const owned of snapshot.ownedBy.get(ref) ?? []) {
        holders.push({ holder: owned, through: owned });
      }
    }
    const hits: Hit[] = [];
    const principals: PrincipalContext[] = [];
    for (const { holder, through } of holders) {
      for (const roleRef of snapshot.canAssume.get(holder) ?? []) {
        const role = snapshot.roles.get(roleRef);
        if (role && role.ref !== ref) {
          hits.push({
            ...this.holderDecision(snapshot, role, holder),
            through,
          });
        }
      }
      for (const identity of snapshot.workloads.get(holder)?.identities ?? []) {
        principals.push(workloadContexts(identity, []).at(-1)!.context);
      }
    }
    return {
      query: ref,
      principals,
      roles: this.toAssumable(snapshot, hits),
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
        'q is required: an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO[@REF], service:NAME, an OIDC provider host, or a catalog user or group (user:default/jane)',
      );
    }
    // A catalog user, group or component (an Identity Center user or group maps to one): what the
    // catalog's relations say it can assume — trust policy, Identity Center and Pod Identity alike.
    if (/^(user|group|component):/i.test(query)) {
      return this.assumable(query);
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
    let context: PrincipalContext;
    try {
      // `github:OWNER/REPO` without a ref stands for any workflow of the repository.
      context = parsePrincipalSpec(query);
    } catch (error) {
      throw new InputError(
        `Cannot read "${query}" as a principal: ${
          (error as Error).message
        }. Use an IAM or STS ARN, a 12-digit account id, github:OWNER/REPO[@REF], service:NAME, or an OIDC provider host.`,
      );
    }
    const identity = workloadIdentityOfContext(context);
    const hits: Hit[] = snapshot.index.lookup(context).map(hit => {
      // A workload named without a ref: the same contexts the component tab tries (one mapping), so
      // the lookup for a repository and its component's tab give the same roles and the same answers.
      const role = identity && snapshot.roles.get(hit.key);
      const m = role ? matchWorkload(role.analysis, identity!) : undefined;
      return m
        ? { key: hit.key, decision: m.decision, matchedBy: m.label }
        : { ...hit, matchedBy: query };
    });
    const chains = this.chainsOf(snapshot, context);
    return {
      query,
      principals: [context],
      roles: this.toAssumable(snapshot, hits),
      index: indexState(snapshot),
      chains: chains.roles,
      chainsTruncated: chains.truncated || undefined,
    };
  }

  /**
   * What the principal reaches through role chaining (two hops or more), in catalog terms. Each hop's
   * role is asked as the index asks (the first hop of a repository with the component tab's
   * contexts), and the Organizations RCPs recorded on the role are applied as an outer Deny: a hop
   * an RCP closes ends the chain there.
   */
  private chainsOf(
    snapshot: TrustSnapshot,
    context: PrincipalContext,
  ): { roles: ChainedRole[]; truncated: boolean } {
    const identity = workloadIdentityOfContext(context);
    const result = findReach(snapshot.index, context, {
      maxDepth: CHAIN_DEPTH,
      maxRoles: CHAIN_ROLES,
      arnOf: key => snapshot.roles.get(key)?.arn,
      refine: (match, caller, arn) => {
        const role = snapshot.roles.get(match.key);
        let decision = match.decision;
        if (identity && caller === context && role) {
          decision =
            matchWorkload(role.analysis, identity)?.decision ?? decision;
        }
        const policies = role?.entity.spec.iam.resourceControlPolicies;
        if (policies?.length && arn) {
          decision = applyResourceControlPolicies({
            decision,
            principal: caller,
            roleArn: arn,
            policies,
          });
        }
        return decision;
      },
    });
    const title = (key: string) => snapshot.roles.get(key)?.title ?? key;
    const roles: ChainedRole[] = [];
    for (const reached of result.roles) {
      const role = snapshot.roles.get(reached.key);
      if (reached.depth < 2 || !role) continue;
      roles.push({
        entityRef: role.ref,
        arn: role.arn,
        title: role.title,
        owner: role.ownerRef || undefined,
        depth: reached.depth,
        outcome: reached.outcome,
        path: reached.paths[0].hops.map(hop => ({
          entityRef: hop.key,
          arn: hop.arn ?? snapshot.roles.get(hop.key)?.arn ?? hop.key,
          title: title(hop.key),
          outcome: hop.outcome,
          via: hop.via,
          conditions: hop.conditions,
        })),
      });
    }
    return { roles, truncated: result.truncated };
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
    const out: RoleFinding[] = [];
    for (const role of snapshot.roles.values()) {
      if (owner && role.ownerRef !== owner) {
        continue;
      }
      for (const finding of role.analysis.findings) {
        if (!filter.severity || isAtLeast(finding.severity, filter.severity)) {
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
        severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
        a.entityRef.localeCompare(b.entityRef),
    );
  }
}
