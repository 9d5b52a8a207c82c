import type {
  AuditorService,
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { DateTime } from 'luxon';
import type { TrustService } from '../service/TrustService';
import type { TrustSnapshot } from '../service/TrustSnapshot';
import { forLog } from '../service/safeText';
import { HistoryConfig, readHistoryConfig } from './historyConfig';
import { seedHistory } from './seedHistory';
import { TrustHistoryNotifier } from './TrustHistoryNotifier';
import { TrustHistoryRecorder } from './TrustHistoryRecorder';
import { TrustHistoryStore } from './TrustHistoryStore';

/**
 * The trust history of the broker: records a version of a role on every rebuild of the trust
 * snapshot in which the role changed (archived snapshots first, when configured), prunes old versions
 * daily, and answers the history routes from its store.
 */
export class TrustHistory {
  private seeded = false;
  /** Roles in the previous snapshot while seeding: a catalog that stopped growing ends the seeding. */
  private rolesBefore = -1;

  private constructor(
    readonly store: TrustHistoryStore,
    readonly recorder: TrustHistoryRecorder,
    readonly config: HistoryConfig,
    private readonly logger: LoggerService,
  ) {}

  /** Builds the history and hooks it into the trust service's rebuilds; undefined when disabled. */
  static async create(options: {
    config: Config;
    database: DatabaseService;
    logger: LoggerService;
    auditor?: AuditorService;
    notifications?: NotificationService;
    scheduler?: SchedulerService;
    trust: TrustService;
  }): Promise<TrustHistory | undefined> {
    const config = readHistoryConfig(options.config);
    if (!config.enabled) {
      return undefined;
    }
    const store = await TrustHistoryStore.create({
      database: options.database,
    });
    const recorder = TrustHistoryRecorder.create({
      store,
      logger: options.logger,
      auditor: options.auditor,
      notifier: TrustHistoryNotifier.create({
        store,
        logger: options.logger,
        notifications: options.notifications,
      }),
    });
    const history = new TrustHistory(store, recorder, config, options.logger);
    options.trust.onRebuilt(snapshot => history.onSnapshot(snapshot));
    await options.scheduler?.scheduleTask({
      id: 'iam-roles-trust-history-retention',
      frequency: { hours: 24 },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 1 },
      fn: async () => {
        await history.prune();
      },
    });
    return history;
  }

  /** Records a rebuilt snapshot (after the archived snapshots, the first time); never throws. */
  async onSnapshot(snapshot: TrustSnapshot): Promise<void> {
    try {
      if (snapshot.roles.size === 0) {
        // The catalog has not ingested the roles yet: nothing to compare, and no seed can match.
        return;
      }
      if (!this.seeded && this.config.seed.length > 0) {
        // The catalog stitches roles over several passes after a start: seed what is there, and again
        // with the roles that arrive, until the archives are covered or the catalog stops growing.
        const { done } = await seedHistory({
          seeds: this.config.seed,
          snapshot,
          store: this.store,
          recorder: this.recorder,
          logger: this.logger,
          final: snapshot.roles.size === this.rolesBefore,
        });
        this.seeded = done;
        this.rolesBefore = snapshot.roles.size;
      }
      await this.recorder.record(snapshot.roles);
    } catch (error) {
      this.logger.warn(
        `Trust history: recording the trust snapshot failed: ${forLog(
          error,
          500,
        )}`,
      );
    }
  }

  /** Deletes versions older than the retention, except each role's current one. */
  async prune(): Promise<number> {
    const before = DateTime.utc()
      .minus({ days: this.config.retentionDays })
      .toISO()!;
    const n = await this.store.prune(before);
    if (n > 0) {
      this.logger.info(
        `Trust history: deleted ${n} versions seen before ${before} (iamRoles.history.retentionDays)`,
      );
    }
    return n;
  }
}
