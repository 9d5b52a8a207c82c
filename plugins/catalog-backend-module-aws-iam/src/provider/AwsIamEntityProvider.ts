import {
  AuthService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import type {
  MetricsService,
  MetricsServiceCounter,
  MetricsServiceHistogram,
} from '@backstage/backend-plugin-api/alpha';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_AWS_ACCOUNT_ID,
  workloadIdentitiesOf,
} from '@backstage-iam/plugin-iam-roles-common';
import { AwsIamProviderConfig } from '../config';
import {
  ANNOTATION_IAM_PROVIDER,
  EntityBuilder,
} from '../entities/EntityBuilder';
import { OwnerResolver } from '../entities/OwnerResolver';
import {
  CatalogIdentities,
  CatalogIdentity,
  EffectiveAccessIndex,
} from '../effective/EffectiveAccessIndex';
import type {
  EffectiveAccessSource,
  EffectiveDataset,
} from '../effective/types';
import {
  AccountRead,
  describeError,
  IamRoleSource,
  SourceRead,
} from '../sources/types';
import { AccountClaims } from './AccountClaims';

/** Reading the catalog back, to find what earlier runs (before a restart) emitted, and the groups. */
export interface CatalogAccess {
  catalog: CatalogService;
  auth: AuthService;
}

/** What one refresh did, per account. */
export interface RefreshSummary {
  updated: Array<{
    accountId: string;
    roles: number;
    calls?: number;
    removed: number;
  }>;
  failed: Array<{
    accountId: string;
    reason: string;
    errorName?: string;
    lastSuccess?: string;
  }>;
  removedAccounts: string[];
  errors: string[];
  warnings: string[];
  /** Effective-access datasets (Identity Center, Pod Identity, RCPs): read, kept after a failure, dropped. */
  datasets: {
    updated: Array<{ key: string; kind: string; calls?: number }>;
    failed: Array<{ key: string; reason: string; lastSuccess?: string }>;
    removed: string[];
  };
}

/** Options of {@link AwsIamEntityProvider.create}. */
export interface AwsIamEntityProviderOptions {
  config: AwsIamProviderConfig;
  source: IamRoleSource;
  logger: LoggerService;
  /** Runs refresh on the configured schedule; without it, call refresh() yourself. */
  taskRunner?: SchedulerServiceTaskRunner;
  catalogAccess?: CatalogAccess;
  /**
   * On the first run, how long to wait for the catalog's groups to appear (the catalog is still
   * loading when the backend starts), so owner tags are checked from the start. Default 30 s.
   */
  startupGroupWaitMs?: number;
  /** Where the provider reports reads, their duration, role counts and the age of each account's data. */
  metrics?: MetricsService;
  /** Identity Center, EKS Pod Identity and RCP datasets, read after the roles at every refresh. */
  effectiveSource?: EffectiveAccessSource;
  /**
   * Shared by the providers of one module: an account that several of them read is emitted by one
   * (see {@link AccountClaims}); the others skip it with a warning naming the account.
   */
  claims?: AccountClaims;
}

/** The provider's instruments; see the package README for what each means. */
interface ProviderMetrics {
  accountReads: MetricsServiceCounter;
  datasetReads: MetricsServiceCounter;
  refreshes: MetricsServiceCounter;
  refreshDuration: MetricsServiceHistogram;
}

/**
 * Emits IAM roles (and optionally their accounts) as Resource entities. Per account, only a complete
 * read changes anything: a failed or throttled account keeps its entities, the others update.
 * Changes are delta mutations scoped to the accounts read, with removals computed against what this
 * provider emitted before (remembered, and read back from the catalog after a restart).
 */
export class AwsIamEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly lastGood = new Map<string, AccountRead>();
  /** The last good read of each effective-access dataset, by key. */
  private readonly datasets = new Map<string, EffectiveDataset>();
  /** The catalog's Groups, Users and workload Components at the last good read. */
  private catalogIdentities?: CatalogIdentities;
  /** Entity refs emitted per account by this process. */
  private readonly emitted = new Map<string, Set<string>>();
  private readonly owners: OwnerResolver;
  private running?: Promise<RefreshSummary>;
  private firstRun = true;
  private readonly metrics?: ProviderMetrics;

  private constructor(private readonly options: AwsIamEntityProviderOptions) {
    this.owners = OwnerResolver.create(
      options.config.ownership,
      options.logger,
    );
    if (options.metrics) {
      this.metrics = this.createMetrics(options.metrics);
    }
    options.claims?.register(options.config.id, {
      live: !options.config.snapshots,
    });
  }

  /** Leaves out the accounts another provider of this module emits (the same account read twice). */
  private claimAccounts(read: SourceRead): SourceRead {
    const { claims, config } = this.options;
    if (!claims) return read;
    const accounts: AccountRead[] = [];
    const warnings = [...(read.warnings ?? [])];
    for (const account of read.accounts) {
      const owner = claims.claim(config.id, account.accountId);
      if (owner) {
        warnings.push(
          `account ${account.accountId} is also read by provider ${owner}: each of its roles is emitted once, by ${owner}`,
        );
      } else {
        accounts.push(account);
      }
    }
    return { ...read, accounts, warnings };
  }

  private createMetrics(metrics: MetricsService): ProviderMetrics {
    const provider = this.options.config.id;
    const accounts = () => [...this.lastGood.values()];
    metrics
      .createObservableGauge('catalog.aws_iam.account.roles', {
        description:
          'IAM roles in the last complete read of an account (the roles the catalog holds for it)',
        unit: '{role}',
      })
      .addCallback(result => {
        for (const read of accounts()) {
          result.observe(read.roles.length, {
            provider,
            account: read.accountId,
          });
        }
      });
    metrics
      .createObservableGauge('catalog.aws_iam.account.data_age', {
        description:
          "Seconds since the last complete read of an account: how old the catalog's view of its roles is. Alert when it exceeds a few schedule periods.",
        unit: 's',
      })
      .addCallback(result => {
        const now = Date.now();
        for (const read of accounts()) {
          result.observe(Math.max(0, (now - Date.parse(read.readAt)) / 1000), {
            provider,
            account: read.accountId,
          });
        }
      });
    metrics
      .createObservableGauge('catalog.aws_iam.dataset.data_age', {
        description:
          'Seconds since the last good read of an effective-access dataset (Identity Center instance, EKS cluster, organisation, snapshot file)',
        unit: 's',
      })
      .addCallback(result => {
        const now = Date.now();
        for (const dataset of this.datasets.values()) {
          result.observe(
            Math.max(0, (now - Date.parse(dataset.readAt)) / 1000),
            { provider, dataset: dataset.key, kind: dataset.data.kind },
          );
        }
      });
    return {
      datasetReads: metrics.createCounter('catalog.aws_iam.dataset.reads', {
        description:
          'Reads of an effective-access dataset; result=failure means its last good data was kept',
        unit: '{read}',
      }),
      accountReads: metrics.createCounter('catalog.aws_iam.account.reads', {
        description:
          "Reads of an account's IAM roles; result=failure means its entities were kept as they were",
        unit: '{read}',
      }),
      refreshes: metrics.createCounter('catalog.aws_iam.refreshes', {
        description:
          'Refresh runs; result=partial when some accounts failed, failure when nothing could be applied',
        unit: '{run}',
      }),
      refreshDuration: metrics.createHistogram(
        'catalog.aws_iam.refresh.duration',
        { description: 'Duration of a refresh run', unit: 's' },
      ),
    };
  }

  static create(options: AwsIamEntityProviderOptions): AwsIamEntityProvider {
    return new AwsIamEntityProvider(options);
  }

  getProviderName(): string {
    return `AwsIamEntityProvider:${this.options.config.id}`;
  }

  private get locationKey(): string {
    return `aws-iam-provider:${this.options.config.id}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    const runner = this.options.taskRunner;
    if (runner) {
      await runner.run({
        id: `${this.getProviderName()}:refresh`,
        fn: async () => {
          try {
            await this.refresh();
          } catch (error) {
            this.options.logger.error(
              `${this.getProviderName()}: refresh failed, nothing changed: ${describeError(
                error,
              )}`,
            );
          }
        },
      });
    }
  }

  /** The last complete read of each account (ISO 8601), for status pages and metrics. */
  getLastSuccess(): Record<string, string> {
    return Object.fromEntries(
      [...this.lastGood.values()].map(read => [read.accountId, read.readAt]),
    );
  }

  /** Reads the source once and applies what changed. Concurrent calls share one run. */
  refresh(): Promise<RefreshSummary> {
    if (!this.running) {
      this.running = this.measured().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async measured(): Promise<RefreshSummary> {
    const started = Date.now();
    const provider = this.options.config.id;
    let result = 'failure';
    try {
      const summary = await this.doRefresh();
      result = summary.failed.length ? 'partial' : 'success';
      for (const u of summary.updated) {
        this.metrics?.accountReads.add(1, {
          provider,
          account: u.accountId,
          result: 'success',
        });
      }
      for (const f of summary.failed) {
        this.metrics?.accountReads.add(1, {
          provider,
          account: f.accountId,
          result: 'failure',
          error: f.errorName ?? 'Error',
        });
      }
      return summary;
    } finally {
      this.metrics?.refreshes.add(1, { provider, result });
      this.metrics?.refreshDuration.record((Date.now() - started) / 1000, {
        provider,
        result,
      });
    }
  }

  private async credentials() {
    const access = this.options.catalogAccess!;
    return { credentials: await access.auth.getOwnServiceCredentials() };
  }

  /** Groups in the catalog, or undefined when unknown (catalog unreachable or still empty). */
  private async readKnownGroups(): Promise<string[] | undefined> {
    if (!this.options.catalogAccess) {
      return undefined;
    }
    try {
      const { items } = await this.options.catalogAccess.catalog.getEntities(
        {
          filter: { kind: 'group' },
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        await this.credentials(),
      );
      return items.length ? items.map(e => stringifyEntityRef(e)) : undefined;
    } catch (error) {
      this.options.logger.debug(
        `${this.getProviderName()}: cannot list groups, owner tags are not checked: ${describeError(
          error,
        )}`,
      );
      return undefined;
    }
  }

  /** Groups, waiting a little on the first run for a catalog that is still loading. */
  private async readKnownGroupsPatiently(): Promise<string[] | undefined> {
    let groups = await this.readKnownGroups();
    if (!this.firstRun || !this.options.catalogAccess) {
      return groups;
    }
    const deadline = Date.now() + (this.options.startupGroupWaitMs ?? 30_000);
    while (!groups && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 2_000));
      groups = await this.readKnownGroups();
    }
    if (!groups) {
      this.options.logger.info(
        `${this.getProviderName()}: no groups in the catalog yet; owner tags are taken as written until the next run`,
      );
    }
    return groups;
  }

  /** Groups, Users and Components to match effective access against; the last good index on failure. */
  private async readCatalogIdentities(): Promise<
    CatalogIdentities | undefined
  > {
    if (!this.options.catalogAccess) {
      return undefined;
    }
    try {
      const { items } = await this.options.catalogAccess.catalog.getEntities(
        {
          filter: [{ kind: 'group' }, { kind: 'user' }, { kind: 'component' }],
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.annotations',
            'spec.profile',
          ],
        },
        await this.credentials(),
      );
      const identities: CatalogIdentities = {
        groups: [],
        users: [],
        components: [],
      };
      for (const entity of items) {
        const ref = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
        const kind = entity.kind.toLocaleLowerCase('en-US');
        if (kind === 'component') {
          const workloads = workloadIdentitiesOf(entity);
          if (workloads.length) {
            identities.components.push({ ref, identities: workloads });
          }
          continue;
        }
        const profile = (entity.spec?.profile ?? {}) as Record<string, unknown>;
        const identity: CatalogIdentity = {
          ref,
          name: entity.metadata.name,
          annotations: entity.metadata.annotations ?? {},
          ...(typeof profile.displayName === 'string'
            ? { displayName: profile.displayName }
            : {}),
          ...(typeof profile.email === 'string'
            ? { email: profile.email }
            : {}),
        };
        (kind === 'group' ? identities.groups : identities.users).push(
          identity,
        );
      }
      this.catalogIdentities = identities;
    } catch (error) {
      this.options.logger.warn(
        `${this.getProviderName()}: cannot read Groups, Users and Components from the catalog, matching Identity Center and Pod Identity against ${
          this.catalogIdentities
            ? 'the last good read'
            : 'nothing (all unmatched)'
        }: ${describeError(error)}`,
      );
    }
    return this.catalogIdentities;
  }

  /** Reads the effective-access datasets; a dataset that fails keeps its last good data. */
  private async readDatasets(
    accountIds: string[],
    summary: RefreshSummary,
  ): Promise<void> {
    const source = this.options.effectiveSource;
    if (!source) {
      return;
    }
    const { logger } = this.options;
    const name = this.getProviderName();
    let read;
    try {
      read = await source.read({ accountIds });
    } catch (error) {
      const reason = `${source.describe()} failed, every dataset keeps its last good data: ${describeError(
        error,
      )}`;
      summary.errors.push(reason);
      logger.warn(`${name}: ${reason}`);
      return;
    }
    for (const problem of read.errors) {
      summary.errors.push(problem);
      logger.warn(`${name}: ${problem}`);
    }
    const seen = new Set<string>();
    for (const dataset of read.datasets) {
      seen.add(dataset.key);
      if (dataset.ok) {
        const { ok: _ok, ...kept } = dataset;
        this.datasets.set(dataset.key, kept);
        this.metrics?.datasetReads.add(1, {
          provider: this.options.config.id,
          dataset: dataset.key,
          kind: dataset.data.kind,
          result: 'success',
        });
        summary.datasets.updated.push({
          key: dataset.key,
          kind: dataset.data.kind,
          calls: dataset.calls,
        });
        logger.info(
          `${name}: ${dataset.data.kind} dataset ${dataset.key} updated${
            dataset.calls !== undefined ? ` in ${dataset.calls} API calls` : ''
          }`,
        );
      } else {
        const lastSuccess = this.datasets.get(dataset.key)?.readAt;
        this.metrics?.datasetReads.add(1, {
          provider: this.options.config.id,
          dataset: dataset.key,
          kind: this.datasets.get(dataset.key)?.data.kind ?? 'unknown',
          result: 'failure',
        });
        summary.datasets.failed.push({
          key: dataset.key,
          reason: dataset.reason,
          lastSuccess,
        });
        logger.warn(
          `${name}: dataset ${dataset.key} NOT updated, ${
            lastSuccess
              ? `its last good data (read ${lastSuccess}) is kept`
              : 'nothing was read of it before in this process'
          }: ${dataset.reason}`,
        );
      }
    }
    if (read.complete) {
      for (const key of [...this.datasets.keys()]) {
        if (!seen.has(key)) {
          this.datasets.delete(key);
          summary.datasets.removed.push(key);
          logger.info(`${name}: dataset ${key} is no longer read; dropped`);
        }
      }
    }
  }

  /** Refs this provider emitted before, per account: remembered, plus read back from the catalog. */
  private async existingRefs(): Promise<Map<string, Set<string>>> {
    const result = new Map<string, Set<string>>();
    for (const [accountId, refs] of this.emitted) {
      result.set(accountId, new Set(refs));
    }
    if (!this.options.catalogAccess) {
      return result;
    }
    try {
      const { items } = await this.options.catalogAccess.catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${ANNOTATION_IAM_PROVIDER}`]:
              this.options.config.id,
          },
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.annotations',
          ],
        },
        await this.credentials(),
      );
      for (const entity of items) {
        const annotations = entity.metadata.annotations ?? {};
        if (annotations[ANNOTATION_IAM_PROVIDER] !== this.options.config.id) {
          continue;
        }
        const accountId = annotations[ANNOTATION_AWS_ACCOUNT_ID];
        if (!accountId) {
          continue;
        }
        const refs = result.get(accountId) ?? new Set<string>();
        refs.add(stringifyEntityRef(entity).toLocaleLowerCase('en-US'));
        result.set(accountId, refs);
      }
    } catch (error) {
      this.options.logger.warn(
        `${this.getProviderName()}: cannot read back earlier entities from the catalog, removals are limited to what this process emitted: ${describeError(
          error,
        )}`,
      );
    }
    return result;
  }

  private async doRefresh(): Promise<RefreshSummary> {
    const { config, logger, source } = this.options;
    const name = this.getProviderName();
    if (!this.connection) {
      throw new Error(`${name} is not connected to the catalog yet`);
    }
    const started = Date.now();
    const read = this.claimAccounts(await source.read());
    const summary: RefreshSummary = {
      updated: [],
      failed: [],
      removedAccounts: [],
      errors: [...read.errors],
      warnings: read.warnings ?? [],
      datasets: { updated: [], failed: [], removed: [] },
    };
    for (const problem of [...read.errors, ...summary.warnings]) {
      logger.warn(`${name}: ${problem}`);
    }
    for (const account of read.accounts) {
      this.lastGood.set(account.accountId, account);
    }

    this.owners.setKnownGroups(await this.readKnownGroupsPatiently());
    this.firstRun = false;
    await this.readDatasets(
      [
        ...new Set([
          ...this.lastGood.keys(),
          ...read.failures.map(f => f.accountId),
        ]),
      ],
      summary,
    );
    const datasets = [...this.datasets.values()];
    const effective = datasets.length
      ? EffectiveAccessIndex.create({
          datasets,
          catalog: datasets.some(d => d.data.kind !== 'aws-organizations-rcp')
            ? await this.readCatalogIdentities()
            : undefined,
          groupMatch: config.identityMatch.groups,
          userMatch: config.identityMatch.users,
        })
      : undefined;
    const builder = EntityBuilder.create({
      providerId: config.id,
      partition: config.partition,
      owners: this.owners,
      accounts: [...this.lastGood.values()],
      internalAccounts: config.internalAccounts,
      emitAccounts: config.emitAccounts,
      accountNames: { ...config.accountNames, ...read.accountNames },
      accountOwners: Object.fromEntries(
        (config.accounts ?? []).flatMap(a =>
          a.owner ? [[a.accountId, a.owner]] : [],
        ),
      ),
      systemTagKeys: config.systemTagKeys,
      componentTagKeys: config.componentTagKeys,
      permissionSets: config.permissionSets,
      effective,
      maxPolicyDocumentBytes: config.maxPolicyDocumentBytes,
    });

    const existing = await this.existingRefs();
    const added: Entity[] = [];
    const removed: string[] = [];
    const newRefs = new Map<string, Set<string>>();
    for (const account of read.accounts) {
      const entities = builder.buildAccount(account);
      const refs = new Set(
        entities.map(e => stringifyEntityRef(e).toLocaleLowerCase('en-US')),
      );
      newRefs.set(account.accountId, refs);
      const gone = [...(existing.get(account.accountId) ?? [])].filter(
        r => !refs.has(r),
      );
      added.push(...entities);
      removed.push(...gone);
      summary.updated.push({
        accountId: account.accountId,
        roles: account.roles.length,
        calls: account.calls,
        removed: gone.length,
      });
    }

    const failedIds = new Set(read.failures.map(f => f.accountId));
    if (read.complete) {
      const current = new Set(read.accounts.map(a => a.accountId));
      for (const [accountId, refs] of existing) {
        if (!current.has(accountId) && !failedIds.has(accountId)) {
          removed.push(...refs);
          summary.removedAccounts.push(accountId);
        }
      }
    }

    if (added.length || removed.length) {
      await this.connection.applyMutation({
        type: 'delta',
        added: added.map(entity => ({ entity, locationKey: this.locationKey })),
        removed: removed.map(entityRef => ({
          entityRef,
          locationKey: this.locationKey,
        })),
      });
    }

    // Only after the catalog accepted the change does it count as emitted.
    for (const [accountId, refs] of newRefs) {
      this.emitted.set(accountId, refs);
    }
    for (const accountId of summary.removedAccounts) {
      this.emitted.delete(accountId);
      this.lastGood.delete(accountId);
      // Gone from this source (or emitted by another provider): another reader may own it now.
      this.options.claims?.release(config.id, accountId);
    }

    for (const u of summary.updated) {
      logger.info(
        `${name}: account ${u.accountId} updated: ${u.roles} roles${
          u.calls !== undefined ? ` in ${u.calls} API calls` : ''
        }, ${u.removed} entities removed; last successful read ${
          this.lastGood.get(u.accountId)!.readAt
        }`,
      );
    }
    for (const failure of read.failures) {
      const lastSuccess = this.lastGood.get(failure.accountId)?.readAt;
      summary.failed.push({ ...failure, lastSuccess });
      logger.warn(
        `${name}: account ${
          failure.accountId
        } NOT updated, its entities are kept (last successful read ${
          lastSuccess ?? 'never in this process'
        }): ${failure.reason}`,
      );
    }
    for (const accountId of summary.removedAccounts) {
      logger.info(
        `${name}: account ${accountId} is no longer read; its entities were removed`,
      );
    }
    logger.info(
      `${name}: refresh of ${source.describe()} took ${
        Date.now() - started
      } ms: ${summary.updated.length} accounts updated, ${
        summary.failed.length
      } failed, ${summary.removedAccounts.length} removed`,
    );
    return summary;
  }
}
