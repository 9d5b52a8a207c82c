import type { Knex } from 'knex';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import {
  SEVERITIES,
  TrustVersion,
} from '@backstage-iam/plugin-iam-roles-common';
import { RoleFacts, summarize, VersionChanges } from './roleFacts';
import { migrateToLatest } from '../database/migrate';

export type { TrustVersion } from '@backstage-iam/plugin-iam-roles-common';

const VERSIONS = 'iam_trust_versions';
const HEADS = 'iam_trust_heads';
const SUBSCRIPTIONS = 'iam_trust_subscriptions';
const SEEDS = 'iam_trust_seeds';

/** Rows per insert: well under SQLite's and PostgreSQL's limits on bound parameters. */
const BATCH = 500;

/**
 * How a version came to be: the first sight of its account, a role new since, a change, or the
 * role gone from the catalog (its facts are the last seen).
 */
export type VersionKind = 'baseline' | 'created' | 'changed' | 'removed';

/** The fingerprint of a `removed` version: no role's hash, so a role back again is recorded. */
export const REMOVED_FINGERPRINT = 'removed';

/** The last version of a role, as compared against on every pass. */
export interface HeadRow {
  role_ref: string;
  version: number;
  fingerprint: string;
  account_id: string;
  seen_at: string;
}

/** A version row as stored. */
export interface VersionRow {
  id?: number;
  role_ref: string;
  version: number;
  kind: VersionKind;
  seen_at: string;
  account_id: string;
  arn: string;
  owner_ref: string;
  fingerprint: string;
  policy_hash: string;
  policy: string;
  facts: string;
  changes: string;
  introduced_rank: number;
}

/** Filters of {@link TrustHistoryStore.listChanges}. */
export interface ChangeFilter {
  since?: string;
  ownerRef?: string;
  /** Only changes that brought a finding at least this severe (rank: 0 = critical). */
  maxRank?: number;
  roleRef?: string;
  limit: number;
  offset: number;
}

/** The severity of a rank (`none` past the last). */
export function severityOfRank(
  rank: number,
): TrustVersion['introducedSeverity'] {
  return SEVERITIES[rank] ?? 'none';
}

/** The API form of a version row. */
export function toVersion(row: VersionRow): TrustVersion {
  const changes: VersionChanges = JSON.parse(row.changes);
  const facts: RoleFacts = JSON.parse(row.facts);
  return {
    roleRef: row.role_ref,
    version: Number(row.version),
    kind: row.kind,
    seenAt: row.seen_at,
    arn: row.arn,
    accountId: row.account_id,
    ownerRef: row.owner_ref,
    policyHash: row.policy_hash,
    introducedSeverity: severityOfRank(Number(row.introduced_rank)),
    summary: summarize(row.kind, changes),
    facts,
    changes,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/**
 * The trust history in the plugin's database (SQLite or PostgreSQL). Writes are batched inserts that
 * ignore a version another replica already recorded (unique role and version), so two backends on
 * one database record each change once.
 */
export class TrustHistoryStore {
  private constructor(private readonly db: Knex) {}

  /** Connects to the plugin's database and runs migrations unless `database.migrations.skip` is set. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<TrustHistoryStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateToLatest(client);
    }
    return new TrustHistoryStore(client);
  }

  /** For tests and the benchmark: a store over an existing knex client, migrated. */
  static async fromKnex(client: Knex): Promise<TrustHistoryStore> {
    await migrateToLatest(client);
    return new TrustHistoryStore(client);
  }

  /** The last version of every role, in one query. */
  async heads(): Promise<Map<string, HeadRow>> {
    const rows = await this.db<HeadRow>(HEADS).select(
      'role_ref',
      'version',
      'fingerprint',
      'account_id',
      'seen_at',
    );
    return new Map(
      rows.map(r => [r.role_ref, { ...r, version: Number(r.version) }]),
    );
  }

  /** The last version of each of `refs` (batched). */
  async headVersions(refs: string[]): Promise<Map<string, VersionRow>> {
    const out = new Map<string, VersionRow>();
    for (const batch of chunks(refs, BATCH)) {
      const rows: VersionRow[] = await this.db(`${VERSIONS} as v`)
        .join(`${HEADS} as h`, function on() {
          this.on('h.role_ref', '=', 'v.role_ref').andOn(
            'h.version',
            '=',
            'v.version',
          );
        })
        .whereIn('v.role_ref', batch)
        .select('v.*');
      for (const row of rows) {
        out.set(row.role_ref, { ...row, version: Number(row.version) });
      }
    }
    return out;
  }

  /**
   * Inserts versions in batches, each batch in one transaction with the heads it moves. A version
   * another replica already recorded is ignored, and a head only ever moves forward. Returns the
   * versions this call inserted.
   */
  async insertVersions(rows: VersionRow[]): Promise<VersionRow[]> {
    const inserted: VersionRow[] = [];
    for (const batch of chunks(rows, BATCH)) {
      await this.db.transaction(async tx => {
        const got: Array<{ role_ref: string; version: number }> = await tx(
          VERSIONS,
        )
          .insert(batch)
          .onConflict(['role_ref', 'version'])
          .ignore()
          .returning(['role_ref', 'version']);
        const mine = new Set(got.map(g => `${g.role_ref}\n${g.version}`));
        inserted.push(
          ...batch.filter(r => mine.has(`${r.role_ref}\n${r.version}`)),
        );
        await tx(HEADS)
          .insert(
            batch.map(r => ({
              role_ref: r.role_ref,
              version: r.version,
              fingerprint: r.fingerprint,
              account_id: r.account_id,
              seen_at: r.seen_at,
            })),
          )
          .onConflict('role_ref')
          .merge(['version', 'fingerprint', 'account_id', 'seen_at'])
          .whereRaw(`${HEADS}.version < excluded.version`);
      });
    }
    return inserted;
  }

  /** A role's versions, newest first. */
  async roleHistory(roleRef: string, limit: number): Promise<TrustVersion[]> {
    const rows = await this.db<VersionRow>(VERSIONS)
      .where({ role_ref: roleRef })
      .orderBy('version', 'desc')
      .limit(limit);
    return rows.map(toVersion);
  }

  /** A role's versions, oldest first (for "since when"). */
  async roleHistoryAscending(roleRef: string): Promise<TrustVersion[]> {
    const rows = await this.db<VersionRow>(VERSIONS)
      .where({ role_ref: roleRef })
      .orderBy('version', 'asc');
    return rows.map(toVersion);
  }

  /**
   * Changes across roles (first sights left out): those that brought a critical or high finding
   * first, then newest first.
   */
  async listChanges(
    filter: ChangeFilter,
  ): Promise<{ items: TrustVersion[]; totalItems: number }> {
    const where = (q: Knex.QueryBuilder) => {
      q.whereNot('kind', 'baseline');
      if (filter.since) q.where('seen_at', '>=', filter.since);
      if (filter.ownerRef) q.where('owner_ref', filter.ownerRef);
      if (filter.roleRef) q.where('role_ref', filter.roleRef);
      if (filter.maxRank !== undefined) {
        q.where('introduced_rank', '<=', filter.maxRank);
      }
      return q;
    };
    const [{ n }] = await where(this.db(VERSIONS)).count({ n: '*' });
    const rows: VersionRow[] = await where(this.db(VERSIONS))
      .select('*')
      .orderByRaw(
        `CASE WHEN introduced_rank <= ${SEVERITIES.indexOf(
          'high',
        )} THEN 0 ELSE 1 END`,
      )
      .orderBy([
        { column: 'seen_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(filter.limit)
      .offset(filter.offset);
    return { items: rows.map(toVersion), totalItems: Number(n) };
  }

  /** Deletes versions seen before `before`, except each role's last version (what it is now). */
  async prune(before: string): Promise<number> {
    return this.db(VERSIONS)
      .where('seen_at', '<', before)
      .whereNotExists(
        this.db(HEADS)
          .select(this.db.raw('1'))
          .whereRaw(
            `${HEADS}.role_ref = ${VERSIONS}.role_ref AND ${HEADS}.version = ${VERSIONS}.version`,
          ),
      )
      .delete();
  }

  /** Subscribes a user to a role's changes (again is no error). */
  async subscribe(roleRef: string, userRef: string, now: string) {
    await this.db(SUBSCRIPTIONS)
      .insert({ role_ref: roleRef, user_ref: userRef, created_at: now })
      .onConflict(['role_ref', 'user_ref'])
      .ignore();
  }

  /** Ends a subscription; true when there was one. */
  async unsubscribe(roleRef: string, userRef: string): Promise<boolean> {
    const n = await this.db(SUBSCRIPTIONS)
      .where({ role_ref: roleRef, user_ref: userRef })
      .delete();
    return n > 0;
  }

  /** The roles a user is subscribed to. */
  async subscriptionsOf(
    userRef: string,
  ): Promise<Array<{ roleRef: string; createdAt: string }>> {
    const rows = await this.db(SUBSCRIPTIONS)
      .where({ user_ref: userRef })
      .orderBy('role_ref');
    return rows.map(r => ({ roleRef: r.role_ref, createdAt: r.created_at }));
  }

  /** Subscribers by role, for the roles given (batched). */
  async subscribersOf(roleRefs: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const batch of chunks(roleRefs, BATCH)) {
      const rows = await this.db(SUBSCRIPTIONS).whereIn('role_ref', batch);
      for (const r of rows) {
        out.set(r.role_ref, [...(out.get(r.role_ref) ?? []), r.user_ref]);
      }
    }
    return out;
  }

  /** Whether an archived snapshot was recorded already. */
  async isSeeded(id: string): Promise<boolean> {
    return !!(await this.db(SEEDS).where({ id }).first());
  }

  /** Marks an archived snapshot as recorded (a second replica's mark is ignored). */
  async markSeeded(id: string, now: string, versions: number) {
    await this.db(SEEDS)
      .insert({ id, recorded_at: now, versions })
      .onConflict('id')
      .ignore();
  }
}
