import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { DateTime } from 'luxon';
import { severityRank } from '@backstage-iam/plugin-iam-roles-common';
import type { RoleEntry } from '../service/TrustSnapshot';
import {
  diffFacts,
  factsOf,
  FingerprintMemo,
  memoizedFingerprint,
  introducedSeverity,
  noChanges,
  RoleFacts,
  summarize,
} from './roleFacts';
import {
  HeadRow,
  REMOVED_FINGERPRINT,
  toVersion,
  TrustHistoryStore,
  TrustVersion,
  VersionKind,
  VersionRow,
} from './TrustHistoryStore';
import type { TrustHistoryNotifier } from './TrustHistoryNotifier';
import { forLog } from '../service/safeText';

/** What one recording pass did. */
export interface RecordResult {
  /** Roles compared against their last version. */
  checked: number;
  /** Roles whose fingerprint differed (or that had no version yet), and roles gone since the last pass. */
  changed: number;
  /** Versions this pass inserted (a version another replica recorded first is not counted). */
  inserted: TrustVersion[];
}

/** The auditor's action type of each kind of change. */
const ACTION_TYPES: Record<VersionKind, string> = {
  baseline: 'baseline',
  created: 'role-created',
  changed: 'trust-changed',
  removed: 'role-removed',
};

/** Whether a role first seen now was created after its account was first seen (unknown creation: yes). */
function isNewRole(entry: RoleEntry, accountSince: string | undefined) {
  if (!accountSince) {
    return false;
  }
  const created = entry.entity.spec.iam.createDate;
  const at = created ? DateTime.fromISO(created, { zone: 'utc' }) : undefined;
  return !at?.isValid || at.toUTC().toISO()! > accountSince;
}

/** Options of a pass. */
export interface RecordOptions {
  /** When the roles were seen (ISO 8601; now by default). */
  at?: string;
  /** An archived snapshot: record only roles whose last version was seen before this time. */
  before?: string;
}

/** The roles of a pass, by entity ref (a trust snapshot's `roles`). */
export type RoleEntries = ReadonlyMap<string, RoleEntry>;

/**
 * Records a version of a role whenever its trust changes: each pass reads the last version of every
 * role in one query, compares fingerprints (hashes of the normalised policy, the findings the
 * catalog entity carries, the owner, attached policies, permissions boundary and Identity Center
 * assignments) and writes only the roles that differ, in batched inserts. Unchanged roles cost no
 * read and no write. Passes of one recorder run one at a time.
 */
export class TrustHistoryRecorder {
  private queue: Promise<unknown> = Promise.resolve();
  /** Fingerprints of the last pass by role, so that an unchanged role is neither sorted nor hashed again. */
  private memos = new Map<string, FingerprintMemo>();

  private constructor(
    private readonly store: TrustHistoryStore,
    private readonly logger: LoggerService,
    private readonly auditor?: AuditorService,
    private readonly notifier?: TrustHistoryNotifier,
  ) {}

  static create(options: {
    store: TrustHistoryStore;
    logger: LoggerService;
    auditor?: AuditorService;
    notifier?: TrustHistoryNotifier;
  }): TrustHistoryRecorder {
    return new TrustHistoryRecorder(
      options.store,
      options.logger,
      options.auditor,
      options.notifier,
    );
  }

  /** Records the changes of a pass over `roles`, as seen at `at` (now by default). */
  record(
    roles: RoleEntries,
    options: RecordOptions = {},
  ): Promise<RecordResult> {
    const run = this.queue.then(() => this.pass(roles, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when the passes started so far have finished. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private async pass(
    roles: RoleEntries,
    options: RecordOptions,
  ): Promise<RecordResult> {
    const at = options.at ?? DateTime.utc().toISO()!;
    const heads = await this.store.heads();
    // When each account was first seen: a role IAM created after that is news, any other first
    // sight (the catalog still stitching roles after a start) is part of the baseline.
    const accountSince = new Map<string, string>();
    for (const head of heads.values()) {
      const since = accountSince.get(head.account_id);
      if (!since || head.seen_at < since) {
        accountSince.set(head.account_id, head.seen_at);
      }
    }
    const changed: Array<{
      entry: RoleEntry;
      head?: HeadRow;
      fingerprint: string;
    }> = [];
    // An archived snapshot's entries are not the catalog's: they neither use nor replace the memos.
    const memos = options.before
      ? undefined
      : new Map<string, FingerprintMemo>();
    for (const entry of roles.values()) {
      const head = heads.get(entry.ref);
      if (head && options.before && head.seen_at >= options.before) {
        continue;
      }
      const memo = memoizedFingerprint(
        entry,
        memos ? this.memos.get(entry.ref) : undefined,
      );
      memos?.set(entry.ref, memo);
      if (head?.fingerprint !== memo.fingerprint) {
        changed.push({ entry, head, fingerprint: memo.fingerprint });
      }
    }
    // Roles the last pass of this process saw that the catalog no longer holds. Only a role seen
    // here before counts: a catalog still stitching after a start removes nothing.
    const removed = memos
      ? [...this.memos.keys()].filter(ref => {
          const head = heads.get(ref);
          return (
            !roles.has(ref) && head && head.fingerprint !== REMOVED_FINGERPRINT
          );
        })
      : [];
    if (memos) {
      this.memos = memos;
    }
    if (changed.length === 0 && removed.length === 0) {
      return { checked: roles.size, changed: 0, inserted: [] };
    }
    const before = await this.store.headVersions([
      ...changed.filter(c => c.head).map(c => c.entry.ref),
      ...removed,
    ]);
    const factsBefore = (ref: string) => {
      const row = before.get(ref);
      return row ? (JSON.parse(row.facts) as RoleFacts) : undefined;
    };
    const rows: VersionRow[] = changed.map(({ entry, head, fingerprint }) => {
      const facts = factsOf(entry);
      const accountId = entry.entity.spec.iam.accountId;
      let kind: VersionKind = 'changed';
      if (!head) {
        kind = isNewRole(entry, accountSince.get(accountId))
          ? 'created'
          : 'baseline';
      } else if (head.fingerprint === REMOVED_FINGERPRINT) {
        // IAM brings a deleted role back only by creating it again.
        kind = 'created';
      }
      const changes = diffFacts(
        kind === 'created' ? undefined : factsBefore(entry.ref),
        facts,
      );
      return {
        role_ref: entry.ref,
        version: (head?.version ?? 0) + 1,
        kind,
        seen_at: at,
        account_id: accountId,
        arn: entry.arn,
        owner_ref: entry.ownerRef,
        fingerprint,
        policy_hash: facts.policyHash,
        policy: facts.policy,
        facts: JSON.stringify(facts),
        changes: JSON.stringify(changes),
        introduced_rank: severityRank(introducedSeverity(changes)),
      };
    });
    for (const ref of removed) {
      const last = before.get(ref);
      if (!last) continue;
      rows.push({
        ...last,
        id: undefined,
        version: last.version + 1,
        kind: 'removed',
        seen_at: at,
        fingerprint: REMOVED_FINGERPRINT,
        changes: JSON.stringify(noChanges()),
        introduced_rank: severityRank('none'),
      });
    }
    const inserted = (await this.store.insertVersions(rows)).map(toVersion);
    await this.report(inserted);
    return {
      checked: roles.size,
      changed: changed.length + removed.length,
      inserted,
    };
  }

  /** Audits each detected change (one event for a baseline) and notifies; never throws. */
  private async report(inserted: TrustVersion[]): Promise<void> {
    const baseline = inserted.filter(v => v.kind === 'baseline').length;
    const changes = inserted.filter(v => v.kind !== 'baseline');
    try {
      if (this.auditor && baseline > 0) {
        const event = await this.auditor.createEvent({
          eventId: 'trust-history',
          severityLevel: 'low',
          meta: { actionType: ACTION_TYPES.baseline, roles: String(baseline) },
        });
        await event.success();
      }
      for (const v of this.auditor ? changes : []) {
        const risky =
          severityRank(v.introducedSeverity) <= severityRank('high');
        const event = await this.auditor!.createEvent({
          eventId: 'trust-history',
          severityLevel: risky ? 'high' : 'medium',
          meta: {
            actionType: ACTION_TYPES[v.kind],
            roleRef: v.roleRef,
            version: String(v.version),
            changed: v.changes.changed.join(','),
            introducedSeverity: v.introducedSeverity,
            summary: forLog(summarize(v.kind, v.changes), 1000),
          },
        });
        await event.success();
      }
      if (changes.length > 0) {
        this.logger.info(
          `Trust history: ${changes.length} role${
            changes.length === 1 ? '' : 's'
          } changed`,
        );
      }
      await this.notifier?.notify(changes);
    } catch (error) {
      this.logger.warn(
        `Trust history: reporting ${changes.length} changes failed: ${forLog(
          error,
          500,
        )}`,
      );
    }
  }
}
