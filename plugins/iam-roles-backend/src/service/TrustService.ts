import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { EntityFilterQuery } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { DateTime } from 'luxon';
import {
  ANNOTATION_IAM_ROLE_REVISION,
  AWS_ACCOUNT_RESOURCE_TYPE,
  AWS_IAM_ROLE_RESOURCE_TYPE,
  AssumableRole,
  AssumableRolesResponse,
  AssumeDecision,
  ChainedRole,
  ChainHop,
  applyResourceControlPolicies,
  findReach,
  IamAccessDerivation,
  IdentityCenterContext,
  IdentityCenterGrant,
  IdentityCenterLookup,
  identityCenterGrants,
  identityCenterReach,
  identityCenterRoles,
  POD_IDENTITY_SERVICE,
  PrincipalContext,
  PrincipalRepository,
  ReachOptions,
  ReachResult,
  refOfRoleRevision,
  ResolvedPrincipal,
  ROLE_REVISION_FACET,
  RoleAnalysis,
  RoleFinding,
  RoleInventoryPage,
  RoleInventoryRow,
  RoleTrustView,
  Severity,
  TrustAnalysisCache,
  TrustIndexState,
  describeCondition,
  describePrincipal,
  evaluateAssume,
  githubRepositoriesOf,
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
import {
  findIdentityCenter,
  identityOf,
  providerRoles,
  publicRoles,
  readLookupQuery,
  ssoRolesOf,
} from './lookupQuery';
import { InventoryFilter, inventoryPage, inventoryRows } from './roleInventory';

/** The roles the trust index reads from the catalog, and the rest of what it reads. */
const ROLE_FILTER = {
  kind: 'resource',
  'spec.type': AWS_IAM_ROLE_RESOURCE_TYPE,
};
const NON_ROLE_FILTER: Array<Record<string, string>> = [
  { kind: 'resource', 'spec.type': AWS_ACCOUNT_RESOURCE_TYPE },
  { kind: 'component' },
];
/** What the trust index reads from the catalog. */
const SNAPSHOT_FILTER: EntityFilterQuery = [ROLE_FILTER, ...NON_ROLE_FILTER];
const ETAG_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.etag',
];
/** Entities read in full per catalog call when only some changed. */
const FULL_READ_CHUNK = 500;
/** A scheduled rebuild waits at least this many times the last build's duration after it. */
const REBUILD_SPACING = 3;

/** How far `/lookup` follows role chains, and how many chained roles it lists at most. */
const CHAIN_DEPTH = 5;
const CHAIN_ROLES = 500;

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

/** How the catalog module derived the relation of `holderRef` to the role (`spec.iam.assumableByVia`). */
function derivationsOf(
  role: RoleEntry,
  holderRef: string,
): IamAccessDerivation[] | undefined {
  const via = new Set<IamAccessDerivation>();
  for (const entry of role.entity.spec.iam.assumableByVia ?? []) {
    try {
      if (normalizeRef(entry.entityRef) === holderRef) {
        for (const v of entry.via) via.add(v);
      }
    } catch {
      // A malformed entry is reported by the catalog module; it derives nothing here.
    }
  }
  return via.size ? [...via].sort() : undefined;
}

function indexState(snapshot: TrustSnapshot): TrustIndexState {
  return { roles: snapshot.roles.size, builtAt: snapshot.at.toUTC().toISO()! };
}

/** An entity of the current snapshot, with what tells whether it changed. */
interface KnownEntity {
  etag?: string;
  /** {@link ANNOTATION_IAM_ROLE_REVISION}, on roles. */
  revision?: string;
  entity: Entity;
}

/** One answer row before it becomes an {@link AssumableRole}. */
interface Hit {
  key: string;
  decision: AssumeDecision;
  matchedBy?: string;
  through?: string;
  derivedVia?: IamAccessDerivation[];
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
  /** The entities of the current snapshot with their etags and revisions, by normalised ref. */
  private entities?: Map<string, KnownEntity>;
  /** Whether every role carried a revision at the last look (undefined before the first). */
  private revisionsComplete?: boolean;
  private lastBuild?: { endedAt: number; durationMs: number };
  /** The catalog's number of index entities at the last probe while rebuilds were spaced. */
  private probedCount?: number;
  private readonly rebuiltListeners: Array<
    (snapshot: TrustSnapshot) => Promise<void>
  > = [];

  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly options: {
      internalAccounts: string[];
      accountNames: Record<string, string>;
      brokerPrincipalArn?: string;
      maxAgeSeconds: number;
      refreshIntervalMs: number;
    },
  ) {}

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    /** `iamRoles.internalAccounts` (readInternalAccounts). */
    internalAccounts: string[];
    /** `iamRoles.accountNames` (readAccountNames); the catalog's account entities name the rest. */
    accountNames?: Record<string, string>;
    brokerPrincipalArn?: string;
    refreshIntervalSeconds: number;
  }): TrustService {
    return new TrustService(options.catalog, options.auth, options.logger, {
      internalAccounts: options.internalAccounts,
      accountNames: options.accountNames ?? {},
      brokerPrincipalArn: options.brokerPrincipalArn,
      // A snapshot older than two refresh periods means the scheduler is not running here; reload.
      maxAgeSeconds: options.refreshIntervalSeconds * 2,
      refreshIntervalMs: options.refreshIntervalSeconds * 1000,
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
    if (age > maxAge && !this.tooSoon() && !this.loading) {
      // Stale: answer from what we have and reload in the background.
      this.refresh().catch(error =>
        this.logger.warn(`Refreshing the trust index failed: ${error}`),
      );
    }
    return snapshot;
  }

  /**
   * Whether the last build was slow for the refresh interval and ended less than
   * {@link REBUILD_SPACING} times its duration ago.
   */
  private tooSoon(): boolean {
    const last = this.lastBuild;
    if (!last) return false;
    const spacing = last.durationMs * REBUILD_SPACING;
    return (
      spacing > this.options.refreshIntervalMs &&
      Date.now() - last.endedAt < spacing
    );
  }

  /**
   * The scheduled refresh: skipped while less than {@link REBUILD_SPACING} times the last build's
   * duration has passed since it ended, so that a large index (minutes to build while the catalog
   * is busy ingesting) takes at most a quarter of the process's time whatever the interval, unless
   * the catalog has settled at another size ({@link settledAtNewSize}).
   */
  async scheduledRefresh(): Promise<void> {
    if (this.tooSoon() && !(await this.settledAtNewSize())) {
      return;
    }
    await this.refresh();
  }

  /**
   * While rebuilds are spaced: whether the catalog has settled at a number of entities other than
   * the index's (two probes in a row count the same). A catalog that has just finished ingesting is
   * then caught up with at once rather than after the spacing, which at 100,000 roles is a quarter
   * of an hour. The probe is one count query; while the catalog keeps growing it changes nothing.
   */
  private async settledAtNewSize(): Promise<boolean> {
    const { totalItems } = await this.catalog.queryEntities(
      { filter: SNAPSHOT_FILTER, limit: 1, fields: ['kind'] },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const previous = this.probedCount;
    this.probedCount = totalItems;
    return totalItems === previous && totalItems !== this.entities?.size;
  }

  /**
   * The roles by revision ({@link ANNOTATION_IAM_ROLE_REVISION}), from one facet of the catalog's
   * search table: `unchanged` the entries of `previous` whose revision is still there (the same
   * string, so nothing is parsed for them), `changed` the refs of the other roles. Undefined when
   * some role carries none (written before the module's processor stamped revisions, or by a catalog
   * without it): then roles are compared by etag like the other entities.
   */
  private async roleRevisions(
    credentials: BackstageCredentials,
    previous: Map<string, KnownEntity>,
  ): Promise<
    { unchanged: Array<[string, KnownEntity]>; changed: string[] } | undefined
  > {
    // One request, one query: the count of roles and their revisions are of the same moment.
    const { facets } = await this.catalog.getEntityFacets(
      { filter: ROLE_FILTER, facets: ['kind', ROLE_REVISION_FACET] },
      { credentials },
    );
    const roles = (facets.kind ?? []).reduce((n, f) => n + f.count, 0);
    const known = new Map<string, [string, KnownEntity]>();
    for (const entry of previous) {
      if (entry[1].revision) known.set(entry[1].revision, entry);
    }
    const unchanged: Array<[string, KnownEntity]> = [];
    const changed: string[] = [];
    for (const { value } of facets[ROLE_REVISION_FACET] ?? []) {
      const hit = known.get(value);
      const ref = hit ? undefined : refOfRoleRevision(value);
      if (hit) unchanged.push(hit);
      else if (ref) changed.push(ref);
    }
    const carrying = unchanged.length + changed.length;
    const complete = carrying === roles;
    if (complete !== this.revisionsComplete) {
      this.revisionsComplete = complete;
      this.logger.info(
        complete
          ? `Trust index: every role carries ${ANNOTATION_IAM_ROLE_REVISION}; changed roles are found by revision`
          : `Trust index: ${
              roles - carrying
            } of ${roles} roles carry no ${ANNOTATION_IAM_ROLE_REVISION} (set by the catalog module's AwsIamRelationsProcessor within one processing cycle); changed roles are found by listing every role's etag until they do`,
      );
    }
    return complete ? { unchanged, changed } : undefined;
  }

  /**
   * Reads the catalog's roles, accounts and components and builds a snapshot. After the first
   * build, only what changed is read in full: the roles whose revision changed (every role's
   * revision comes from one facet of the catalog's search table, which costs a fraction of listing
   * the role entities), and the accounts, components and (while some role carries no revision)
   * roles whose etag changed (the stitcher's hash of the whole entity, listed with nothing else).
   * When nothing changed, the current snapshot stays (with a new time) and nothing is rebuilt.
   */
  private async load(): Promise<TrustSnapshot> {
    const started = Date.now();
    const credentials = await this.auth.getOwnServiceCredentials();
    const previous = this.entities;
    const current = new Map<string, KnownEntity>();
    const keep = (entity: Entity) =>
      current.set(refOf(entity), {
        etag: entity.metadata.etag,
        revision: entity.metadata.annotations?.[ANNOTATION_IAM_ROLE_REVISION],
        entity,
      });
    let read = 0;
    /** Milliseconds spent finding what changed (revisions and etags), before reading it. */
    let listMs = 0;
    let by = 'etag';
    if (!previous || !this.snapshot) {
      for await (const page of this.catalog.streamEntities(
        { filter: SNAPSHOT_FILTER },
        { credentials },
      )) {
        for (const entity of page) keep(entity);
        read += page.length;
      }
    } else {
      const changed: string[] = [];
      const revisions = await this.roleRevisions(credentials, previous);
      if (revisions) {
        for (const [ref, known] of revisions.unchanged) current.set(ref, known);
        changed.push(...revisions.changed);
        by = 'revision';
      }
      for await (const page of this.catalog.streamEntities(
        {
          filter: revisions ? NON_ROLE_FILTER : SNAPSHOT_FILTER,
          fields: ETAG_FIELDS,
        },
        { credentials },
      )) {
        for (const light of page) {
          const ref = refOf(light);
          const known = previous.get(ref);
          const etag = light.metadata.etag;
          if (known && etag && known.etag === etag) {
            current.set(ref, known);
          } else {
            changed.push(stringifyEntityRef(light));
          }
        }
      }
      listMs = Date.now() - started;
      for (let i = 0; i < changed.length; i += FULL_READ_CHUNK) {
        const { items } = await this.catalog.getEntitiesByRefs(
          { entityRefs: changed.slice(i, i + FULL_READ_CHUNK) },
          { credentials },
        );
        for (const entity of items) {
          // Gone since the first read: it is not in the new snapshot.
          if (entity) {
            keep(entity);
            read += 1;
          }
        }
      }
      if (read === 0 && current.size === previous.size) {
        const snapshot = { ...this.snapshot, at: DateTime.now() };
        this.entities = current;
        this.lastBuild = {
          endedAt: Date.now(),
          durationMs: Date.now() - started,
        };
        this.logger.debug(
          `Trust index unchanged: ${snapshot.roles.size} roles, checked in ${
            Date.now() - started
          } ms`,
        );
        return snapshot;
      }
    }
    const readMs = Date.now() - started - listMs;
    const buildStarted = Date.now();
    const snapshot = buildTrustSnapshot(
      [...current.values()].map(e => e.entity),
      {
        internalAccounts: this.options.internalAccounts,
        cache: this.analyses,
        previous: this.snapshot?.roles,
      },
    );
    const buildMs = Date.now() - buildStarted;
    this.entities = current;
    const durationMs = Date.now() - started;
    this.lastBuild = { endedAt: Date.now(), durationMs };
    if (snapshot.refused > 0) {
      this.logger.warn(
        `Trust index: ${snapshot.refused} Resource entities look like IAM roles but were not emitted by the catalog module (backstage.io/managed-by-location is not aws-iam-account:… or aws-iam-snapshot:…); they are not treated as roles`,
      );
    }
    this.logger.info(
      `Trust index rebuilt: ${snapshot.roles.size} roles, ${
        snapshot.workloads.size
      } entities with workload identities, ${read} of ${
        current.size
      } entities read in full, in ${durationMs} ms (${
        listMs ? `changes found by ${by} in ${listMs} ms, ` : ''
      }read in ${readMs} ms, built in ${buildMs} ms)`,
    );
    for (const listener of this.rebuiltListeners) {
      listener(snapshot).catch(e => this.logger.warn(`${e}`));
    }
    return snapshot;
  }

  /** Calls `listener` with every rebuilt snapshot, without waiting for it (the trust history records from it). */
  onRebuilt(listener: (snapshot: TrustSnapshot) => Promise<void>): void {
    this.rebuiltListeners.push(listener);
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
    const holderRefs = new Set(holders.map(h => h.ref));
    const identityCenter = role.entity.spec.iam.identityCenter ?? [];
    const assignees = identityCenter.flatMap(a => a.principals);
    // Vendors' and partners' accounts by the configured names, the catalog's accounts by theirs.
    const accountNames = {
      ...this.options.accountNames,
      ...Object.fromEntries(snapshot.accountNameById),
    };
    const principals: ResolvedPrincipal[] = role.analysis.principals.map(p => {
      const sso =
        p.kind === 'saml' &&
        identityCenter.length > 0 &&
        /:saml-provider\/AWSSSO_/.test(p.id);
      let entityRef: string | undefined;
      if (p.kind === 'role' || p.kind === 'assumed-role') {
        const key = roleKeyOfArn(p.id);
        entityRef = key ? snapshot.roleByKey.get(key) : undefined;
      } else if (p.kind === 'account') {
        entityRef = snapshot.accountRefById.get(p.id);
      }
      const slugs = githubRepositoriesOf(p);
      const repositories: PrincipalRepository[] = slugs.map(slug => ({
        slug,
        entityRef: this.componentOfRepository(snapshot, slug, holderRefs),
      }));
      if (repositories.length > 0) {
        // Several repositories are several components: one link for them all would name one of them.
        entityRef =
          repositories.length === 1 ? repositories[0].entityRef : undefined;
      } else if (sso) {
        // The assignees are the "who": linked when there is one (each is linked in its own section).
        entityRef = assignees.length === 1 ? assignees[0].entityRef : undefined;
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
        description: describePrincipal(p, {
          accountNames,
          eksClusters: snapshot.eksClusters,
          ...(sso ? { identityCenter } : {}),
        }),
        entityRef,
        external: p.accountId
          ? !snapshot.internalAccounts.has(p.accountId)
          : undefined,
        ...(repositories.length > 0 ? { repositories } : {}),
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
   * The component of a GitHub repository: the one the catalog relates to the role when several share
   * the slug (a monorepo), else the only one; none when the catalog cannot tell which.
   */
  private componentOfRepository(
    snapshot: TrustSnapshot,
    slug: string,
    holders: Set<string>,
  ): string | undefined {
    const refs = snapshot.workloadsByGithubRepo.get(slug.toLowerCase()) ?? [];
    return (
      refs.find(ref => holders.has(ref)) ??
      (refs.length === 1 ? refs[0] : undefined)
    );
  }

  /** The roles that reach `roleRef` through role chaining, nearest first, each with its path. */
  private reachableFrom(
    snapshot: TrustSnapshot,
    roleRef: string,
  ): ChainedRole[] {
    const role = snapshot.roles.get(roleRef);
    if (!role) return [];
    const callers = snapshot.callers;
    // The engine's own reach, over the edges turned round: from this role's session, each "hop"
    // is a role that can assume the one before it.
    const back = findReach(
      {
        lookup: caller => {
          const key =
            caller.type === 'arn' ? roleKeyOfArn(caller.arn) : undefined;
          const ref = key ? snapshot.roleByKey.get(key) : undefined;
          return ref ? callers(ref) : [];
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
        ...(hit.derivedVia?.length ? { derivedVia: hit.derivedVia } : {}),
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
            derivedVia: derivationsOf(role, holder),
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

  /**
   * `GET /lookup`: what a principal can assume, the query read as people type it (see
   * {@link readLookupQuery}): an ARN, an account id or name, a repository, a service, a provider,
   * `*`, an Identity Center user or group, or a catalog entity.
   */
  async lookup(q: string): Promise<AssumableRolesResponse> {
    const snapshot = await this.current();
    const read = readLookupQuery(q, snapshot);
    switch (read.kind) {
      case 'entity':
        return this.assumable(read.ref);
      case 'public':
        return {
          query: read.query,
          principals: [],
          roles: publicRoles(snapshot),
          index: indexState(snapshot),
        };
      case 'provider':
        return {
          query: read.query,
          principals: [],
          roles: providerRoles(snapshot, read.provider),
          index: indexState(snapshot),
        };
      default:
    }
    const { context, query } = read;
    if (context.type === 'identity-center') {
      return this.identityCenterLookup(snapshot, context, query);
    }
    const identity = workloadIdentityOfContext(context);
    const derivedVia: IamAccessDerivation[] = [
      context.type === 'service' && context.service === POD_IDENTITY_SERVICE
        ? 'pod-identity'
        : 'trust-policy',
    ];
    const hits: Hit[] = snapshot.index.lookup(context).map(hit => {
      // A workload named without a ref: the same contexts the component tab tries (one mapping), so
      // the lookup for a repository and its component's tab give the same roles and the same answers.
      const role = identity && snapshot.roles.get(hit.key);
      const m = role ? matchWorkload(role.analysis, identity!) : undefined;
      return m
        ? { key: hit.key, decision: m.decision, matchedBy: m.label, derivedVia }
        : { ...hit, matchedBy: query, derivedVia };
    });
    const chains = this.chainsOf(
      snapshot,
      findReach(snapshot.index, context, this.reachOptions(snapshot, context)),
    );
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
   * An Identity Center user or group: the `AWSReservedSSO_*` roles of its account assignments (its
   * own and, for a user, its groups'), checked against each role's trust as the access portal's SAML
   * sign-in and the RCPs of the role's account, then the role chains onward from those roles.
   */
  private identityCenterLookup(
    snapshot: TrustSnapshot,
    context: IdentityCenterContext,
    query: string,
  ): AssumableRolesResponse {
    const found = findIdentityCenter(snapshot, context);
    const what =
      context.principalType === 'USER'
        ? 'Identity Center user'
        : 'Identity Center group';
    if (found.length === 0) {
      throw new InputError(
        `No ${what} "${
          context.name
        }" in the Identity Center data the catalog holds (the users and groups of the AWSReservedSSO_* roles' assignments). ${
          context.principalType === 'USER'
            ? 'Give the user name, an email address or the user id'
            : 'Give the display name or the group id'
        }, or the catalog ${
          context.principalType === 'USER' ? 'user' : 'group'
        } it matches (e.g. ${
          context.principalType === 'USER'
            ? 'identity-center-user:user:default/jane.doe'
            : 'identity-center-group:group:default/platform'
        }).`,
      );
    }
    if (found.length > 1) {
      throw new InputError(
        `"${context.name}" names ${found.length} ${what}s: ${found
          .map(f =>
            f.principal.principalType === 'USER'
              ? `${f.principal.user.userName} (${
                  f.principal.user.emails[0] ?? f.principal.user.id
                })`
              : `${f.principal.group.displayName} (${f.principal.group.id})`,
          )
          .join(', ')}; give the user name, email or id of one.`,
      );
    }
    const [{ data, principal }] = found;
    const identity = (type: 'USER' | 'GROUP', id: string, name: string) =>
      identityOf(snapshot, data.instanceArn, type, id, name);
    const grantRows = (grants: IdentityCenterGrant[]) =>
      grants.flatMap(g => {
        const refs = ssoRolesOf(snapshot, g);
        const assignedTo = identity(
          g.assignedTo.principalType,
          g.assignedTo.principalId,
          g.assignedTo.name,
        );
        const base = {
          accountId: g.accountId,
          permissionSetName: g.permissionSetName,
          permissionSetArn: g.permissionSetArn,
          assignedTo,
        };
        return refs.length
          ? refs.map(ref => ({
              entityRef: ref,
              title: snapshot.roles.get(ref)?.title ?? ref,
              ...base,
            }))
          : [base];
      });

    const grants = identityCenterGrants(data, principal);
    const candidates = [
      ...new Set(grants.flatMap(g => ssoRolesOf(snapshot, g))),
    ].flatMap(ref => {
      const role = snapshot.roles.get(ref);
      return role ? [{ key: ref, analysis: role.analysis }] : [];
    });
    const first = identityCenterRoles(grants, candidates);
    const options = this.reachOptions(snapshot, context);
    const hits: Hit[] = first.map(r => {
      const decision = r.signIn
        ? options.refine!({ key: r.key, decision: r.decision }, r.signIn, r.arn)
        : r.decision;
      const sets = [...new Set(r.grants.map(g => g.permissionSetName))];
      const holders = [...new Set(r.grants.map(g => g.assignedTo.name))];
      return {
        key: r.key,
        decision,
        matchedBy: `Identity Center: ${sets.join(
          ', ',
        )} assigned to ${holders.join(', ')}`,
        derivedVia: ['identity-center'],
      };
    });
    const chains = this.chainsOf(
      snapshot,
      identityCenterReach(snapshot.index, context, first, options),
    );
    const lookup: IdentityCenterLookup =
      principal.principalType === 'USER'
        ? {
            principal: identity(
              'USER',
              principal.user.id,
              principal.user.userName,
            ),
            groups: principal.groups.map(g =>
              identity('GROUP', g.id, g.displayName),
            ),
            grants: grantRows(grants),
          }
        : {
            principal: identity(
              'GROUP',
              principal.group.id,
              principal.group.displayName,
            ),
            grants: grantRows(grants),
            members: principal.members.map(user => ({
              member: identity('USER', user.id, user.userName),
              grants: grantRows(
                identityCenterGrants(data, {
                  principalType: 'USER',
                  user,
                  groups: data.groups.filter(g =>
                    g.memberIds?.includes(user.id),
                  ),
                }),
              ),
            })),
          };
    return {
      query,
      principals: [context],
      roles: this.toAssumable(snapshot, hits),
      index: indexState(snapshot),
      chains: chains.roles,
      chainsTruncated: chains.truncated || undefined,
      identityCenter: lookup,
    };
  }

  /**
   * How a lookup follows role chains: each hop's role asked as the index asks (the first hop of a
   * repository with the component tab's contexts), and the Organizations RCPs recorded on the role
   * applied as an outer Deny: a hop an RCP closes ends the chain there.
   */
  private reachOptions(
    snapshot: TrustSnapshot,
    context: PrincipalContext,
  ): ReachOptions {
    const identity = workloadIdentityOfContext(context);
    return {
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
    };
  }

  /** What the principal reaches through role chaining (two hops or more), in catalog terms. */
  private chainsOf(
    snapshot: TrustSnapshot,
    result: ReachResult,
  ): { roles: ChainedRole[]; truncated: boolean } {
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

  /** `GET /roles`: one page of the inventory with the facets of the whole index. */
  async inventory(
    filter: InventoryFilter,
    page: { offset: number; limit: number },
  ): Promise<RoleInventoryPage> {
    const snapshot = await this.current();
    return {
      ...inventoryPage(snapshot, this.inventoryFilter(filter), page),
      index: indexState(snapshot),
    };
  }

  /** Every role of the inventory that matches, risky first (the CSV export). */
  async inventoryRows(filter: InventoryFilter): Promise<RoleInventoryRow[]> {
    return inventoryRows(await this.current(), this.inventoryFilter(filter));
  }

  private inventoryFilter(filter: InventoryFilter): InventoryFilter {
    return filter.owner
      ? { ...filter, owner: normalizeRef(filter.owner, 'group') }
      : filter;
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
