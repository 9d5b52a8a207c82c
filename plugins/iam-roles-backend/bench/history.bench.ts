/*
 * yarn bench:history — the trust history recorder at scale.
 *
 * For SQLite (a file, as a single-node install keeps it) and PostgreSQL (BENCH_POSTGRES_URL, default
 * postgresql://iamtest:iamtest-pw@localhost:5432; skipped with a note when unreachable): record the
 * first sight of 50,000 roles (BENCH_HISTORY_ROLES), then a pass with nothing changed, then passes
 * with 1% of the roles changed. Prints the time of a change pass against the time to read the same
 * rows back (the last version of every role; target ≤ 2×), and the rows an unchanged role costs per
 * pass (target 0). The trust snapshot is built as the trust service builds it (one analysis per
 * policy version, cached across passes); only the recorder's pass is timed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { TrustAnalysisCache } from '@backstage-iam/plugin-iam-roles-common';
import type { Entity } from '@backstage/catalog-model';
import { githubStatement, roleEntity } from '../src/__testUtils__/fixtures';
import { buildTrustSnapshot } from '../src/service/TrustSnapshot';
import { TrustHistoryRecorder } from '../src/history/TrustHistoryRecorder';
import { TrustHistoryStore } from '../src/history/TrustHistoryStore';

const ROLES = Number(process.env.BENCH_HISTORY_ROLES ?? 50_000);
const CHANGED = Math.max(1, Math.round(ROLES / 100));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PG_URL =
  process.env.BENCH_POSTGRES_URL ??
  'postgresql://iamtest:iamtest-pw@localhost:5432';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const quiet: LoggerService = {
  error: () => {},
  warn: console.warn,
  info: () => {},
  debug: () => {},
  child: () => quiet,
};

const owner = (i: number) => `group:default/team-${i % 40}`;

function role(i: number, revision: number): Entity {
  const statements: unknown[] = [githubStatement(`acme/service-${i}`)];
  if (revision > 0) {
    // A change someone might make: another branch, or (every tenth) the whole organisation.
    statements.push(
      i % 10 === 0
        ? {
            Effect: 'Allow',
            Principal: {
              Federated:
                'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
            },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringLike: {
                'token.actions.githubusercontent.com:sub': 'repo:acme/*',
              },
            },
          }
        : githubStatement(`acme/service-${i}-r${revision}`),
    );
  }
  return roleEntity({ name: `role-${i}`, owner: owner(i), statements });
}

async function rows(db: Knex): Promise<number> {
  const [{ n }] = await db('iam_trust_versions').count({ n: '*' });
  return Number(n);
}

async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

/** Reads the last version of every role back, whole rows, as a store without fingerprints would. */
async function readBack(db: Knex): Promise<number> {
  const all = await db('iam_trust_versions as v')
    .join('iam_trust_heads as h', function on() {
      this.on('h.role_ref', '=', 'v.role_ref').andOn(
        'h.version',
        '=',
        'v.version',
      );
    })
    .select('v.*');
  return all.length;
}

async function run(name: string, db: Knex) {
  const store = await TrustHistoryStore.fromKnex(db);
  const recorder = TrustHistoryRecorder.create({
    store,
    logger: quiet,
  });
  const cache = TrustAnalysisCache.create();
  const entities = Array.from({ length: ROLES }, (_, i) => role(i, 0));
  const snapshot = () =>
    buildTrustSnapshot(entities, { internalAccounts: [], cache }).roles;

  const first = await timed(() => recorder.record(snapshot()));
  const afterFirst = await rows(db);

  const unchangedRoles = snapshot();
  const unchanged = await timed(() => recorder.record(unchangedRoles));
  const unchangedRows = (await rows(db)) - afterFirst;

  const changeMs: number[] = [];
  const readMs: number[] = [];
  let written = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (let k = 0; k < CHANGED; k++) {
      const i = (k * 100 + round * 7) % ROLES;
      entities[i] = role(i, round);
    }
    const roles = snapshot();
    const before = await rows(db);
    const pass = await timed(() => recorder.record(roles));
    written += (await rows(db)) - before;
    changeMs.push(pass.ms);
    const back = await timed(() => readBack(db));
    if (back.result !== ROLES) {
      throw new Error(`read back ${back.result} rows, expected ${ROLES}`);
    }
    readMs.push(back.ms);
  }
  const change = median(changeMs);
  const read = median(readMs);
  console.log(`\n${name}`);
  console.log(
    `  first sight of ${ROLES} roles:        ${first.ms.toFixed(
      0,
    )} ms, ${afterFirst} rows`,
  );
  console.log(
    `  pass with nothing changed:            ${unchanged.ms.toFixed(
      0,
    )} ms, ${unchangedRows} rows written (target 0)`,
  );
  console.log(
    `  pass with ${CHANGED} changed (1%), median: ${change.toFixed(0)} ms, ${
      written / ROUNDS
    } rows written per pass`,
  );
  console.log(
    `  reading the ${ROLES} rows back, median:   ${read.toFixed(0)} ms`,
  );
  console.log(
    `  change pass / read back:              ${(change / read).toFixed(
      2,
    )}× (target ≤ 2×)${change / read <= 2 ? '' : '  ← over target'}`,
  );
  return { ratio: change / read, unchangedRows };
}

async function pgDatabase(): Promise<
  { db: Knex; drop: () => Promise<void> } | undefined
> {
  const admin = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/postgres`,
    pool: { min: 0, max: 1 },
  });
  const name = `bench_history_${process.pid}`;
  try {
    await admin.raw('create database ??', [name]);
  } catch (error) {
    await admin.destroy();
    console.log(`\nPostgreSQL: skipped (${PG_URL} not reachable: ${error})`);
    return undefined;
  }
  const db = knexFactory({ client: 'pg', connection: `${PG_URL}/${name}` });
  return {
    db,
    drop: async () => {
      await db.destroy();
      await admin.raw('drop database if exists ?? with (force)', [name]);
      await admin.destroy();
    },
  };
}

async function main() {
  console.log(
    `Trust history: ${ROLES} roles, ${CHANGED} changed per pass, ${ROUNDS} change passes (median)`,
  );
  const results: Array<{ ratio: number; unchangedRows: number }> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-history-'));
  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'history.sqlite') },
    useNullAsDefault: true,
  });
  try {
    results.push(await run('SQLite (file)', sqlite));
  } finally {
    await sqlite.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const pg = await pgDatabase();
  if (pg) {
    try {
      results.push(await run('PostgreSQL', pg.db));
    } finally {
      await pg.drop();
    }
  }
  const ok = results.every(r => r.ratio <= 2 && r.unchangedRows === 0);
  console.log(
    `\n${ok ? 'All targets met.' : 'A target was missed (see above).'}`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
