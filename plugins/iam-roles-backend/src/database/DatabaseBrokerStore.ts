import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { AuditEntry } from '@backstage-iam/plugin-iam-roles-common';
import {
  APPROVALS,
  AUDIT,
  ApprovalRow,
  AuditRow,
  GRANTS,
  GRANT_COLUMNS,
  GrantRow,
  REQUESTS,
  RequestRow,
  toAuditEntry,
  toGrant,
  toRequest,
} from './rows';
import {
  AuditFilter,
  BrokerStore,
  isSameSubmission,
  ListFilter,
  NewBreakGlass,
  NewRequest,
  OpenAccess,
  StoredGrant,
  StoredRequest,
  Transition,
  Visibility,
} from './BrokerStore';
import { RateLimitedError } from '../service/RateLimitedError';
import type { RateLimiter } from '../service/RateLimiter';
import { migrateToLatest } from './migrate';

/** First key of the advisory locks that serialise one user's request creations (PostgreSQL). */
const RATE_LIMIT_LOCK_SPACE = 0x1a3f;

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/i.test(e?.message ?? '')
  );
}

/**
 * `OR column contains ref`, for a column holding a JSON array of lower-cased refs: the quoted ref
 * matches one whole element; LIKE's own wildcards in it are escaped (the same in both databases).
 */
function orContainsRef(b: Knex.QueryBuilder, column: string, ref: string) {
  const pattern = `%${JSON.stringify(ref).replace(/[\\%_]/g, c => `\\${c}`)}%`;
  b.orWhereRaw(`?? LIKE ? ESCAPE '\\'`, [column, pattern]);
}

/** {@link BrokerStore} over the plugin's database (SQLite or PostgreSQL) with knex; every transition is a conditional update in a transaction. */
export class DatabaseBrokerStore implements BrokerStore {
  private constructor(private readonly db: Knex) {}

  /** Connects to the plugin's database and runs migrations unless `database.migrations.skip` is set. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseBrokerStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateToLatest(client);
    }
    return new DatabaseBrokerStore(client);
  }

  /** For tests and the benchmark: a store over an existing knex client, migrated. */
  static async fromKnex(client: Knex): Promise<DatabaseBrokerStore> {
    await migrateToLatest(client);
    return new DatabaseBrokerStore(client);
  }

  private async audit(
    tx: Knex.Transaction | Knex,
    entry: Omit<AuditRow, 'id' | 'seq'>,
  ): Promise<void> {
    await tx<AuditRow>(AUDIT).insert({ id: randomUUID(), ...entry });
  }

  /**
   * Creates a pending request. With an idempotency key already used by the same requester, returns
   * the existing request (`created: false`) instead; a key reused for another role is a conflict.
   */
  async createRequest(
    input: NewRequest,
  ): Promise<{ request: StoredRequest; created: boolean }> {
    if (input.idempotencyKey) {
      const existing = await this.findByIdempotencyKey(
        input.requester,
        input.idempotencyKey,
      );
      if (existing) {
        return { request: this.checkReplay(existing, input), created: false };
      }
    }
    const id = randomUUID();
    const row: RequestRow = {
      id,
      role_ref: input.roleRef,
      role_arn: input.roleArn,
      owner_ref: input.ownerRef,
      requester: input.requester,
      justification: input.justification,
      duration_minutes: input.durationMinutes,
      ticket: input.ticket ?? null,
      status: 'pending',
      required_approvals: input.requiredApprovals,
      version: 0,
      created_at: input.now,
      updated_at: input.now,
      expires_at: input.expiresAt,
      decided_at: null,
      decided_by: null,
      decision_reason: null,
      idempotency_key: input.idempotencyKey ?? null,
      kind: input.kind ?? 'access',
      extends_grant_id: input.extendsGrantId ?? null,
      approver_groups: input.approverGroups?.length
        ? JSON.stringify(input.approverGroups)
        : null,
    };
    const audit: AuditRow = {
      id: randomUUID(),
      at: input.now,
      actor: input.requester,
      action: 'request-created',
      request_id: id,
      grant_id: null,
      role_ref: input.roleRef,
      owner_ref: input.ownerRef,
      from_state: null,
      to_state: 'pending',
      reason: input.justification,
    };
    const isPg = this.db.client.config.client === 'pg';
    const write = async (db: Knex | Knex.Transaction) => {
      if (isPg) {
        // One statement, so one round trip: PostgreSQL runs a data-modifying WITH exactly once,
        // atomically with the statement it belongs to.
        const insertRequest = db(REQUESTS).insert(row).toSQL();
        const insertAudit = db(AUDIT).insert(audit).toSQL();
        await db.raw(
          `WITH created AS (${insertRequest.sql} RETURNING id) ${insertAudit.sql}`,
          [...insertRequest.bindings, ...insertAudit.bindings],
        );
      } else {
        await db<RequestRow>(REQUESTS).insert(row);
        await db<AuditRow>(AUDIT).insert(audit);
      }
    };
    const { rateLimit: limiter, refuseIfOpen } = input;
    try {
      if (limiter || refuseIfOpen) {
        await this.db.transaction(async tx => {
          await this.lockRequester(tx, input.requester);
          if (limiter) {
            await this.takeRateLimitSlot(
              tx,
              input.requester,
              input.now,
              limiter,
            );
          }
          if (refuseIfOpen) {
            refuseIfOpen(
              await this.findOpen(
                input.requester,
                input.roleRef,
                input.now,
                tx,
              ),
            );
          }
          await write(tx);
        });
      } else if (isPg) {
        await write(this.db);
      } else {
        await this.db.transaction(write);
      }
    } catch (error) {
      // Two concurrent submissions with one key: the loser returns the winner's request, whether the
      // unique key refused it or, behind the per-user lock, the open request or the limit did.
      if (input.idempotencyKey) {
        const existing = await this.findByIdempotencyKey(
          input.requester,
          input.idempotencyKey,
        );
        if (existing) {
          return {
            request: this.checkReplay(existing, input),
            created: false,
          };
        }
      }
      if (input.extendsGrantId && isUniqueViolation(error)) {
        throw new ConflictError(
          `An extension of grant ${input.extendsGrantId} is already pending; wait for its decision or cancel it.`,
        );
      }
      throw error;
    }
    // Built from what was written, so that a create costs one transaction and no re-read.
    return {
      request: {
        id,
        roleRef: input.roleRef,
        roleArn: input.roleArn,
        ownerRef: input.ownerRef,
        requester: input.requester,
        justification: input.justification,
        durationMinutes: input.durationMinutes,
        ticket: input.ticket,
        status: 'pending',
        createdAt: input.now,
        updatedAt: input.now,
        expiresAt: input.expiresAt,
        requiredApprovals: input.requiredApprovals,
        approvals: [],
        kind: row.kind,
        extendsGrantId: input.extendsGrantId,
        approverGroups: input.approverGroups?.length
          ? input.approverGroups
          : undefined,
      },
      created: true,
    };
  }

  private checkReplay(existing: StoredRequest, input: NewRequest) {
    if (!isSameSubmission(existing, input)) {
      throw new ConflictError(
        `The idempotency key "${input.idempotencyKey}" was already used for request ${existing.id} with different content; use a new key for a new request.`,
      );
    }
    return existing;
  }

  /** The request a requester made with an idempotency key, if any. */
  async findByIdempotencyKey(
    requester: string,
    key: string,
  ): Promise<StoredRequest | undefined> {
    const row = await this.db<RequestRow>(REQUESTS)
      .where({ requester, idempotency_key: key })
      .first();
    return row ? this.hydrate([row]).then(r => r[0]) : undefined;
  }

  /**
   * Requests with their approvals and grant. `grants` are the rows' grants when the caller already
   * read them (a join); otherwise they are read here. Approvals are read only for requests that can
   * have any: approved ones, and ones that need more than one approval.
   */
  private async hydrate(
    rows: RequestRow[],
    db: Knex | Knex.Transaction = this.db,
    joined?: Map<string, GrantRow>,
  ): Promise<StoredRequest[]> {
    if (rows.length === 0) {
      return [];
    }
    const approvals = new Map<string, ApprovalRow[]>();
    const grants = joined ?? new Map<string, GrantRow>();
    const withApprovals = rows
      .filter(r => r.status === 'approved' || Number(r.required_approvals) > 1)
      .map(r => r.id);
    const withGrants = joined
      ? []
      : rows.filter(r => r.status === 'approved').map(r => r.id);
    // Chunked so that long lists stay under the bind-parameter limits of both databases.
    for (let i = 0; i < withApprovals.length; i += 500) {
      const chunk = withApprovals.slice(i, i + 500);
      for (const a of await db<ApprovalRow>(APPROVALS)
        .whereIn('request_id', chunk)
        .orderBy('at')) {
        approvals.set(a.request_id, [
          ...(approvals.get(a.request_id) ?? []),
          a,
        ]);
      }
    }
    for (let i = 0; i < withGrants.length; i += 500) {
      const chunk = withGrants.slice(i, i + 500);
      for (const g of await db<GrantRow>(GRANTS).whereIn('request_id', chunk)) {
        grants.set(g.request_id, g);
      }
    }
    return rows.map(row => {
      const grant = grants.get(row.id);
      return toRequest(
        row,
        approvals.get(row.id) ?? [],
        grant ? toGrant(grant) : undefined,
      );
    });
  }

  /** One request with its approvals and grant. */
  async getRequest(
    id: string,
    db: Knex | Knex.Transaction = this.db,
  ): Promise<StoredRequest | undefined> {
    const row = await db<RequestRow>(REQUESTS).where({ id }).first();
    return row ? (await this.hydrate([row], db))[0] : undefined;
  }

  private visible(
    q: Knex.QueryBuilder,
    v: Visibility,
    userColumn: string,
    ownerColumn = 'owner_ref',
    approverColumn?: string,
  ) {
    if (v.all) {
      return q;
    }
    return q.where(b => {
      b.where(userColumn, v.userRef);
      if (v.ownerRefs.length > 0) {
        b.orWhereIn(ownerColumn, v.ownerRefs);
        // The column holds a JSON array of lower-cased refs: a quoted ref matches one element.
        for (const ref of approverColumn ? v.ownerRefs : []) {
          orContainsRef(b, approverColumn!, ref);
        }
      }
    });
  }

  /** Requests the caller may see, newest first. */
  async listRequests(filter: ListFilter): Promise<StoredRequest[]> {
    // The grant comes in the same query, joined to the page only: a list costs one round trip
    // unless approvals are needed.
    const page = this.listQuery(REQUESTS, 'requester', 'created_at', filter)
      .select(`${REQUESTS}.*`)
      .as('r');
    const rows: Array<RequestRow & Record<string, unknown>> = await this.db
      .from(page)
      .leftJoin(`${GRANTS} as g`, 'g.request_id', 'r.id')
      .select(
        'r.*',
        Object.fromEntries(GRANT_COLUMNS.map(c => [`grant_${c}`, `g.${c}`])),
      )
      .orderBy([
        { column: 'r.created_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ]);
    const grants = new Map<string, GrantRow>();
    for (const row of rows) {
      if (row.grant_id) {
        grants.set(
          row.id,
          Object.fromEntries(
            GRANT_COLUMNS.map(c => [c, row[`grant_${c}`]]),
          ) as GrantRow,
        );
      }
    }
    return this.hydrate(rows, this.db, grants);
  }

  /**
   * The listing both requests and grants share: what the caller may see (or only their own),
   * optionally one role and some states, newest first, one page.
   */
  private listQuery(
    table: string,
    userColumn: string,
    timeColumn: string,
    filter: ListFilter,
  ) {
    const col = (name: string) => `${table}.${name}`;
    return this.filteredQuery(table, userColumn, filter)
      .orderBy([
        { column: col(timeColumn), order: 'desc' },
        { column: col('id'), order: 'desc' },
      ])
      .limit(filter.limit)
      .offset(filter.offset);
  }

  /** The rows of a listing, before ordering and paging. */
  private filteredQuery(
    table: string,
    userColumn: string,
    filter: Omit<ListFilter, 'limit' | 'offset'>,
  ) {
    // Columns are qualified, so that callers can join another table with the same column names.
    const col = (name: string) => `${table}.${name}`;
    let q: Knex.QueryBuilder = this.db(table);
    q = filter.mine
      ? q.where(col(userColumn), filter.visibility.userRef)
      : this.visible(
          q,
          filter.visibility,
          col(userColumn),
          col('owner_ref'),
          table === REQUESTS ? col('approver_groups') : undefined,
        );
    if (filter.roleRef) {
      q = q.where(col('role_ref'), filter.roleRef);
    }
    if (filter.status?.length) {
      q = q.whereIn(col('status'), filter.status);
    }
    return q;
  }

  private async count(
    table: string,
    userColumn: string,
    filter: Omit<ListFilter, 'limit' | 'offset'>,
  ): Promise<number> {
    const [{ count }] = await this.filteredQuery(
      table,
      userColumn,
      filter,
    ).count({ count: '*' });
    return Number(count);
  }

  /** How many requests {@link BrokerStore.listRequests} would list without paging. */
  async countRequests(
    filter: Omit<ListFilter, 'limit' | 'offset'>,
  ): Promise<number> {
    return this.count(REQUESTS, 'requester', filter);
  }

  /** How many grants {@link BrokerStore.listGrants} would list without paging. */
  async countGrants(
    filter: Omit<ListFilter, 'limit' | 'offset'>,
  ): Promise<number> {
    return this.count(GRANTS, 'user_ref', filter);
  }

  /** Pending requests of roles the given refs own (all, for approver groups), not made by the caller. */
  async listPendingFor(v: Visibility, limit: number): Promise<StoredRequest[]> {
    let q = this.db<RequestRow>(REQUESTS)
      .where('status', 'pending')
      .whereNot('requester', v.userRef);
    if (!v.all) {
      if (v.ownerRefs.length === 0) {
        return [];
      }
      q = q.where(b => {
        b.whereIn('owner_ref', v.ownerRefs);
        for (const ref of v.ownerRefs) {
          orContainsRef(b, 'approver_groups', ref);
        }
      });
    }
    const rows = await q.orderBy('created_at', 'asc').limit(limit);
    return this.hydrate(rows as RequestRow[]);
  }

  /**
   * Records one approval. The row is locked first by a conditional update on `pending`, so that
   * concurrent approvers are serialised: once the quorum is reached the request turns `approved`
   * and a grant starts; anybody after that gets a conflict.
   */
  async approve(options: {
    id: string;
    approver: string;
    reason?: string;
    now: string;
    grantExpiresAt: (request: StoredRequest, extended?: StoredGrant) => string;
    action?: string;
  }): Promise<{ request: StoredRequest; transitions: Transition[] }> {
    const { id, approver, now } = options;
    const transitions: Transition[] = [];
    let extendedGrantId: string | undefined;
    await this.db.transaction(async tx => {
      const locked = await tx<RequestRow>(REQUESTS)
        .where({ id, status: 'pending' })
        .where('expires_at', '>', now)
        .update({ updated_at: now, version: tx.raw('?? + 1', ['version']) });
      if (locked !== 1) {
        throw await this.conflictFor(tx, id, 'approve');
      }
      try {
        await tx(APPROVALS).insert({
          request_id: id,
          approver,
          reason: options.reason ?? null,
          at: now,
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError(
            'You have already approved this request; another approver must add theirs.',
          );
        }
        throw error;
      }
      const row = (await tx<RequestRow>(REQUESTS).where({ id }).first())!;
      const [{ count }] = await tx(APPROVALS)
        .where('request_id', id)
        .count({ count: '*' });
      const approvals = Number(count);
      if (approvals < row.required_approvals) {
        await this.audit(tx, {
          at: now,
          actor: approver,
          action: options.action ?? 'request-approval-recorded',
          request_id: id,
          grant_id: null,
          role_ref: row.role_ref,
          owner_ref: row.owner_ref,
          from_state: 'pending',
          to_state: 'pending',
          reason:
            options.reason ??
            `${approvals} of ${row.required_approvals} approvals`,
        });
        return;
      }
      const done = await tx<RequestRow>(REQUESTS)
        .where({ id, status: 'pending', version: row.version })
        .update({
          status: 'approved',
          decided_at: now,
          decided_by: approver,
          decision_reason: options.reason ?? null,
          updated_at: now,
        });
      if (done !== 1) {
        throw await this.conflictFor(tx, id, 'approve');
      }
      const approvers: string[] = (
        await tx(APPROVALS)
          .where('request_id', id)
          .orderBy('at')
          .select('approver')
      ).map((a: { approver: string }) => a.approver);
      const current = (await this.getRequest(id, tx))!;
      if (row.kind === 'extension' && row.extends_grant_id) {
        extendedGrantId = row.extends_grant_id;
        await this.extendInTx(tx, row, current, approvers, options);
        return;
      }
      const grantId = randomUUID();
      await tx<GrantRow>(GRANTS).insert({
        id: grantId,
        request_id: id,
        role_ref: row.role_ref,
        role_arn: row.role_arn,
        owner_ref: row.owner_ref,
        user_ref: row.requester,
        status: 'active',
        approvers: JSON.stringify(approvers),
        granted_at: now,
        expires_at: options.grantExpiresAt(current),
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
        credentials_issued: 0,
        last_issued_at: null,
      });
      await this.audit(tx, {
        at: now,
        actor: approver,
        action: options.action ?? 'request-approved',
        request_id: id,
        grant_id: grantId,
        role_ref: row.role_ref,
        owner_ref: row.owner_ref,
        from_state: 'pending',
        to_state: 'approved',
        reason: options.reason ?? null,
      });
      await this.audit(tx, {
        at: now,
        actor: approver,
        action: 'grant-started',
        request_id: id,
        grant_id: grantId,
        role_ref: row.role_ref,
        owner_ref: row.owner_ref,
        from_state: null,
        to_state: 'active',
        reason: null,
      });
    });
    const request = (await this.getRequest(id))!;
    if (request.status === 'approved' && extendedGrantId) {
      transitions.push({
        action: 'grant-extended',
        request,
        grant: await this.getGrant(extendedGrantId),
        fromState: 'active',
        toState: 'active',
      });
    } else if (request.status === 'approved') {
      transitions.push({
        action: 'request-approved',
        request,
        grant: request.grant as StoredGrant,
        fromState: 'pending',
        toState: 'approved',
      });
    }
    return { request, transitions };
  }

  /**
   * The approval of an extension: the grant's end moves, as one conditional update on an active,
   * unexpired grant (a revoke, release or expiry that came first wins, and this approval rolls back).
   */
  private async extendInTx(
    tx: Knex.Transaction,
    row: RequestRow,
    current: StoredRequest,
    approvers: string[],
    options: {
      approver: string;
      reason?: string;
      now: string;
      grantExpiresAt: (r: StoredRequest, g?: StoredGrant) => string;
      action?: string;
    },
  ) {
    const { approver, now } = options;
    const grantId = row.extends_grant_id!;
    const grantRow = await tx<GrantRow>(GRANTS).where({ id: grantId }).first();
    if (!grantRow) {
      throw new NotFoundError(`No grant with id ${grantId}`);
    }
    const newEnd = options.grantExpiresAt(current, toGrant(grantRow));
    const moved = await tx<GrantRow>(GRANTS)
      .where({ id: grantId, status: 'active', expires_at: grantRow.expires_at })
      .where('expires_at', '>', now)
      .update({
        expires_at: newEnd,
        extensions: tx.raw('?? + 1', ['extensions']),
        approvers: JSON.stringify([
          ...new Set([...JSON.parse(grantRow.approvers), ...approvers]),
        ]),
      });
    if (moved !== 1) {
      throw new ConflictError(
        grantRow.status === 'active'
          ? `Cannot extend grant ${grantId}: it ended at ${grantRow.expires_at}; request access again.`
          : `Cannot extend grant ${grantId}: it is ${grantRow.status}.`,
      );
    }
    await this.audit(tx, {
      at: now,
      actor: approver,
      action: options.action ?? 'request-approved',
      request_id: row.id,
      grant_id: grantId,
      role_ref: row.role_ref,
      owner_ref: row.owner_ref,
      from_state: 'pending',
      to_state: 'approved',
      reason: options.reason ?? null,
    });
    await this.audit(tx, {
      at: now,
      actor: approver,
      action: 'grant-extended',
      request_id: grantRow.request_id,
      grant_id: grantId,
      role_ref: row.role_ref,
      owner_ref: row.owner_ref,
      from_state: 'active',
      to_state: 'active',
      reason: `Ends at ${newEnd} instead of ${grantRow.expires_at} (extension request ${row.id})`,
    });
  }

  private async conflictFor(
    tx: Knex.Transaction,
    id: string,
    verb: string,
  ): Promise<Error> {
    const row = await tx<RequestRow>(REQUESTS).where({ id }).first();
    if (!row) {
      return new NotFoundError(`No access request with id ${id}`);
    }
    if (row.status === 'pending') {
      return new ConflictError(
        `Cannot ${verb} request ${id}: it expired at ${row.expires_at} without a decision.`,
      );
    }
    return new ConflictError(
      `Cannot ${verb} request ${id}: it is already ${row.status}${
        row.decided_by ? ` (by ${row.decided_by})` : ''
      }.`,
    );
  }

  /** Moves a pending request to `denied` or `cancelled`; a conflict when it is no longer pending. */
  async closePending(options: {
    id: string;
    actor: string;
    to: 'denied' | 'cancelled';
    reason?: string;
    now: string;
  }): Promise<StoredRequest> {
    const { id, actor, to, now } = options;
    await this.db.transaction(async tx => {
      const row = await tx<RequestRow>(REQUESTS).where({ id }).first();
      const updated = await tx<RequestRow>(REQUESTS)
        .where({ id, status: 'pending' })
        .update({
          status: to,
          decided_at: now,
          decided_by: actor,
          decision_reason: options.reason ?? null,
          updated_at: now,
          version: tx.raw('?? + 1', ['version']),
        });
      if (updated !== 1 || !row) {
        throw await this.conflictFor(
          tx,
          id,
          to === 'denied' ? 'deny' : 'cancel',
        );
      }
      await this.audit(tx, {
        at: now,
        actor,
        action: to === 'denied' ? 'request-denied' : 'request-cancelled',
        request_id: id,
        grant_id: null,
        role_ref: row.role_ref,
        owner_ref: row.owner_ref,
        from_state: 'pending',
        to_state: to,
        reason: options.reason ?? null,
      });
    });
    return (await this.getRequest(id))!;
  }

  /** One grant. */
  async getGrant(id: string): Promise<StoredGrant | undefined> {
    const row = await this.db<GrantRow>(GRANTS).where({ id }).first();
    return row ? toGrant(row) : undefined;
  }

  /** Grants the caller may see, newest first. */
  async listGrants(filter: ListFilter): Promise<StoredGrant[]> {
    const rows = await this.listQuery(GRANTS, 'user_ref', 'granted_at', filter);
    return (rows as GrantRow[]).map(toGrant);
  }

  /** Ends an active grant early. */
  async revokeGrant(options: {
    id: string;
    actor: string;
    reason: string;
    now: string;
    action?: 'grant-revoked' | 'grant-released';
  }): Promise<StoredGrant> {
    const { id, actor, reason, now } = options;
    await this.db.transaction(async tx => {
      // Requests first, then the grant: the order an extension's approval takes its locks in, so
      // that the two never wait for each other.
      await this.closeExtensionsInTx(
        tx,
        id,
        'cancelled',
        actor,
        now,
        'The grant ended before a decision',
      );
      const updated = await tx<GrantRow>(GRANTS)
        .where({ id, status: 'active' })
        .update({
          status: 'revoked',
          revoked_at: now,
          revoked_by: actor,
          revoke_reason: reason,
        });
      const row = await tx<GrantRow>(GRANTS).where({ id }).first();
      if (!row) {
        throw new NotFoundError(`No grant with id ${id}`);
      }
      if (updated !== 1) {
        throw new ConflictError(
          `Cannot revoke grant ${id}: it is already ${row.status}.`,
        );
      }
      await this.audit(tx, {
        at: now,
        actor,
        action: options.action ?? 'grant-revoked',
        request_id: row.request_id,
        grant_id: id,
        role_ref: row.role_ref,
        owner_ref: row.owner_ref,
        from_state: 'active',
        to_state: 'revoked',
        reason,
      });
    });
    return (await this.getGrant(id))!;
  }

  /**
   * Closes the pending extensions of a grant that ends (audited). With `endedBy`, only when the grant
   * has ended by then (the expiry task), so that a grant extended meanwhile keeps its extension open.
   */
  private async closeExtensionsInTx(
    tx: Knex.Transaction,
    grantId: string,
    to: 'cancelled' | 'expired',
    actor: string,
    now: string,
    reason: string,
    endedBy?: string,
  ) {
    if (endedBy) {
      const ended = await tx<GrantRow>(GRANTS)
        .where({ id: grantId })
        .where('expires_at', '<=', endedBy)
        .first();
      if (!ended) {
        return;
      }
    }
    const pending = await tx<RequestRow>(REQUESTS).where({
      extends_grant_id: grantId,
      status: 'pending',
    });
    for (const row of pending) {
      const closed = await tx<RequestRow>(REQUESTS)
        .where({ id: row.id, status: 'pending' })
        .update({
          status: to,
          decided_at: now,
          decided_by: actor,
          decision_reason: reason,
          updated_at: now,
          version: tx.raw('?? + 1', ['version']),
        });
      if (closed === 1) {
        await this.audit(tx, {
          at: now,
          actor,
          action: to === 'expired' ? 'request-expired' : 'request-cancelled',
          request_id: row.id,
          grant_id: grantId,
          role_ref: row.role_ref,
          owner_ref: row.owner_ref,
          from_state: 'pending',
          to_state: to,
          reason,
        });
      }
    }
  }

  /** The requester's pending access request for a role, and their active, unexpired grant of it. */
  async findOpen(
    requester: string,
    roleRef: string,
    now: string,
    db: Knex | Knex.Transaction = this.db,
  ): Promise<OpenAccess> {
    // One after the other: a transaction runs one query at a time.
    const requestRow = await db<RequestRow>(REQUESTS)
      .where({ requester, role_ref: roleRef, status: 'pending' })
      .whereNot('kind', 'extension')
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .first();
    const grantRow = await db<GrantRow>(GRANTS)
      .where({ user_ref: requester, role_ref: roleRef, status: 'active' })
      .where('expires_at', '>', now)
      .orderBy('expires_at', 'desc')
      .first();
    return {
      request: requestRow ? (await this.hydrate([requestRow]))[0] : undefined,
      grant: grantRow ? toGrant(grantRow) : undefined,
    };
  }

  /** The pending extension of a grant, if any. */
  async pendingExtension(grantId: string): Promise<StoredRequest | undefined> {
    const row = await this.db<RequestRow>(REQUESTS)
      .where({ extends_grant_id: grantId, status: 'pending' })
      .first();
    return row ? (await this.hydrate([row]))[0] : undefined;
  }

  /** Records a break-glass request, approved by its requester, and starts its grant, in one transaction. */
  /**
   * Serialises one user's request creations until the transaction ends, across replicas, so that two
   * of them can neither both take the last rate-limit slot nor both open a request for one role.
   * SQLite transactions are serialised already.
   */
  private async lockRequester(
    tx: Knex.Transaction,
    requester: string,
  ): Promise<void> {
    if (this.db.client.config.client === 'pg') {
      await tx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [
        RATE_LIMIT_LOCK_SPACE,
        requester,
      ]);
    }
  }

  /**
   * Refuses (RateLimitedError) one more request of `requester` beyond the limit, counted from the
   * requests table inside the caller's transaction (after {@link lockRequester}).
   */
  private async takeRateLimitSlot(
    tx: Knex.Transaction,
    requester: string,
    at: string,
    limiter: RateLimiter,
  ): Promise<void> {
    const now = new Date(at);
    const recent: string[] = await tx<RequestRow>(REQUESTS)
      .where('requester', requester)
      .andWhere('created_at', '>', limiter.windowStart(now))
      .orderBy('created_at', 'desc')
      .limit(limiter.max)
      .pluck('created_at');
    const decision = limiter.decide(recent, now);
    if (!decision.ok) {
      throw new RateLimitedError(
        decision.retryAfterSeconds,
        limiter.max,
        limiter.windowMs / 1000,
        now,
      );
    }
  }

  async breakGlass(input: NewBreakGlass): Promise<StoredRequest> {
    const id = randomUUID();
    const grantId = randomUUID();
    const { now } = input;
    await this.db.transaction(async tx => {
      if (input.rateLimit || input.refuseIfOpen) {
        await this.lockRequester(tx, input.requester);
      }
      if (input.rateLimit) {
        await this.takeRateLimitSlot(tx, input.requester, now, input.rateLimit);
      }
      if (input.refuseIfOpen) {
        input.refuseIfOpen(
          await this.findOpen(input.requester, input.roleRef, now, tx),
        );
      }
      await tx<RequestRow>(REQUESTS).insert({
        id,
        role_ref: input.roleRef,
        role_arn: input.roleArn,
        owner_ref: input.ownerRef,
        requester: input.requester,
        justification: input.justification,
        duration_minutes: input.durationMinutes,
        ticket: input.incident,
        status: 'approved',
        required_approvals: 1,
        version: 0,
        created_at: now,
        updated_at: now,
        expires_at: now,
        decided_at: now,
        decided_by: input.requester,
        decision_reason: 'Break-glass: granted at once, reviewed afterwards',
        idempotency_key: null,
        kind: 'break-glass',
        extends_grant_id: null,
        approver_groups: input.approverGroups?.length
          ? JSON.stringify(input.approverGroups)
          : null,
      });
      await tx<GrantRow>(GRANTS).insert({
        id: grantId,
        request_id: id,
        role_ref: input.roleRef,
        role_arn: input.roleArn,
        owner_ref: input.ownerRef,
        user_ref: input.requester,
        status: 'active',
        approvers: JSON.stringify([]),
        granted_at: now,
        expires_at: input.grantExpiresAt,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
        credentials_issued: 0,
        last_issued_at: null,
        break_glass: true,
        reviewed_at: null,
        reviewed_by: null,
        review_note: null,
        extensions: 0,
      });
      const base = {
        at: now,
        actor: input.requester,
        request_id: id,
        grant_id: grantId,
        role_ref: input.roleRef,
        owner_ref: input.ownerRef,
      };
      await this.audit(tx, {
        ...base,
        action: 'break-glass-started',
        from_state: null,
        to_state: 'approved',
        reason: `Incident ${input.incident}: ${input.justification}`,
      });
      await this.audit(tx, {
        ...base,
        action: 'grant-started',
        from_state: null,
        to_state: 'active',
        reason: 'break-glass',
      });
    });
    return (await this.getRequest(id))!;
  }

  /** Break-glass grants nobody reviewed yet that the visibility covers, not the caller's own, oldest first. */
  async listUnreviewed(
    v: Visibility,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredGrant[]; totalItems: number }> {
    const base = () => {
      let q = this.db(`${GRANTS} as g`)
        .join(`${REQUESTS} as r`, 'r.id', 'g.request_id')
        .where('g.break_glass', true)
        .whereNull('g.reviewed_at')
        .whereNot('g.user_ref', v.userRef);
      if (!v.all) {
        if (v.ownerRefs.length === 0) {
          return undefined;
        }
        q = q.where(b => {
          b.whereIn('g.owner_ref', v.ownerRefs);
          for (const ref of v.ownerRefs) {
            orContainsRef(b, 'r.approver_groups', ref);
          }
        });
      }
      return q;
    };
    const rows = base();
    const counted = base();
    if (!rows || !counted) {
      return { items: [], totalItems: 0 };
    }
    const [items, [{ count }]] = await Promise.all([
      rows
        .select('g.*')
        .orderBy([
          { column: 'g.granted_at', order: 'asc' },
          { column: 'g.id', order: 'asc' },
        ])
        .limit(page.limit)
        .offset(page.offset),
      counted.count({ count: '*' }),
    ]);
    return {
      items: (items as GrantRow[]).map(toGrant),
      totalItems: Number(count),
    };
  }

  /** Records the review of a break-glass grant; a conflict when it was reviewed already. */
  async reviewGrant(options: {
    id: string;
    actor: string;
    note: string;
    now: string;
  }): Promise<StoredGrant> {
    const { id, actor, note, now } = options;
    await this.db.transaction(async tx => {
      const updated = await tx<GrantRow>(GRANTS)
        .where({ id, break_glass: true })
        .whereNull('reviewed_at')
        .update({ reviewed_at: now, reviewed_by: actor, review_note: note });
      const row = await tx<GrantRow>(GRANTS).where({ id }).first();
      if (!row) {
        throw new NotFoundError(`No grant with id ${id}`);
      }
      if (updated !== 1) {
        throw new ConflictError(
          row.break_glass
            ? `Grant ${id} was reviewed already by ${row.reviewed_by} at ${row.reviewed_at}.`
            : `Grant ${id} was approved before it started; only break-glass grants need a review.`,
        );
      }
      await this.audit(tx, {
        at: now,
        actor,
        action: 'break-glass-reviewed',
        request_id: row.request_id,
        grant_id: id,
        role_ref: row.role_ref,
        owner_ref: row.owner_ref,
        from_state: row.status,
        to_state: row.status,
        reason: note,
      });
    });
    return (await this.getGrant(id))!;
  }

  /**
   * Reserves one credential issue on an active, unexpired grant (recorded in the audit log).
   * Only the fact is stored, never the credentials.
   */
  async recordCredentialsIssue(options: {
    id: string;
    actor: string;
    now: string;
    detail: string;
  }): Promise<StoredGrant> {
    const { id, actor, now } = options;
    await this.db.transaction(async tx => {
      const updated = await tx<GrantRow>(GRANTS)
        .where({ id, status: 'active' })
        .where('expires_at', '>', now)
        .update({
          last_issued_at: now,
          credentials_issued: tx.raw('?? + 1', ['credentials_issued']),
        });
      const row = await tx<GrantRow>(GRANTS).where({ id }).first();
      if (!row) {
        throw new NotFoundError(`No grant with id ${id}`);
      }
      if (updated !== 1) {
        throw new ConflictError(
          row.status === 'active'
            ? `Grant ${id} expired at ${row.expires_at}; request access again.`
            : `Grant ${id} is ${row.status}; request access again.`,
        );
      }
      await this.audit(tx, {
        at: now,
        actor,
        action: 'credentials-issued',
        request_id: row.request_id,
        grant_id: id,
        role_ref: row.role_ref,
        owner_ref: row.owner_ref,
        from_state: 'active',
        to_state: 'active',
        reason: options.detail,
      });
    });
    return (await this.getGrant(id))!;
  }

  /** Appends an audit entry that is not a state transition (e.g. a failed STS call). */
  async appendAudit(entry: Omit<AuditEntry, 'id'> & { ownerRef?: string }) {
    await this.audit(this.db, {
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      request_id: entry.requestId ?? null,
      grant_id: entry.grantId ?? null,
      role_ref: entry.roleRef ?? null,
      owner_ref: entry.ownerRef ?? null,
      from_state: entry.fromState ?? null,
      to_state: entry.toState ?? null,
      reason: entry.reason ?? null,
    });
  }

  /** Expires pending requests past their deadline and active grants past their end; returns what changed. */
  async expire(now: string): Promise<Transition[]> {
    const transitions: Transition[] = [];
    const staleRequests = await this.db<RequestRow>(REQUESTS)
      .where('status', 'pending')
      .where('expires_at', '<=', now)
      .select('id')
      .limit(1000);
    for (const { id } of staleRequests) {
      const changed = await this.db.transaction(async tx => {
        const row = await tx<RequestRow>(REQUESTS).where({ id }).first();
        const updated = await tx<RequestRow>(REQUESTS)
          .where({ id, status: 'pending' })
          .where('expires_at', '<=', now)
          .update({
            status: 'expired',
            updated_at: now,
            decided_at: now,
            version: tx.raw('?? + 1', ['version']),
          });
        if (updated !== 1 || !row) {
          return false;
        }
        await this.audit(tx, {
          at: now,
          actor: 'system',
          action: 'request-expired',
          request_id: id,
          grant_id: null,
          role_ref: row.role_ref,
          owner_ref: row.owner_ref,
          from_state: 'pending',
          to_state: 'expired',
          reason: 'No decision before the request deadline',
        });
        return true;
      });
      if (changed) {
        transitions.push({
          action: 'request-expired',
          request: (await this.getRequest(id))!,
          fromState: 'pending',
          toState: 'expired',
        });
      }
    }
    const endedGrants = await this.db<GrantRow>(GRANTS)
      .where('status', 'active')
      .where('expires_at', '<=', now)
      .select('id')
      .limit(1000);
    for (const { id } of endedGrants) {
      const changed = await this.db.transaction(async tx => {
        await this.closeExtensionsInTx(
          tx,
          id,
          'expired',
          'system',
          now,
          'The grant ended before a decision',
          now,
        );
        const updated = await tx<GrantRow>(GRANTS)
          .where({ id, status: 'active' })
          .where('expires_at', '<=', now)
          .update({ status: 'expired' });
        if (updated !== 1) {
          return false;
        }
        const row = (await tx<GrantRow>(GRANTS).where({ id }).first())!;
        await this.audit(tx, {
          at: now,
          actor: 'system',
          action: 'grant-expired',
          request_id: row.request_id,
          grant_id: id,
          role_ref: row.role_ref,
          owner_ref: row.owner_ref,
          from_state: 'active',
          to_state: 'expired',
          reason: null,
        });
        return true;
      });
      if (changed) {
        const grant = (await this.getGrant(id))!;
        transitions.push({
          action: 'grant-expired',
          request: (await this.getRequest(grant.requestId))!,
          grant,
          fromState: 'active',
          toState: 'expired',
        });
      }
    }
    return transitions;
  }

  /** The audit trail, newest first. */
  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    let q = this.db<AuditRow>(AUDIT);
    if (filter.ownerRefs) {
      if (filter.ownerRefs.length === 0) {
        return [];
      }
      q = q.whereIn('owner_ref', filter.ownerRefs);
    }
    if (filter.roleRef) {
      q = q.where('role_ref', filter.roleRef);
    }
    if (filter.requestId) {
      q = q.where('request_id', filter.requestId);
    }
    if (filter.actor) {
      q = q.where('actor', filter.actor);
    }
    if (filter.action) {
      q = q.where('action', filter.action);
    }
    if (filter.from) {
      q = q.where('at', '>=', filter.from);
    }
    if (filter.to) {
      q = q.where('at', '<', filter.to);
    }
    const rows = await q.orderBy('seq', 'desc').limit(filter.limit);
    return (rows as AuditRow[]).map(toAuditEntry);
  }
}
