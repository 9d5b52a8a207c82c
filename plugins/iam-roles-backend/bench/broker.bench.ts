/*
 * yarn bench:broker — the access broker under load, next to the catalog as a yardstick.
 *
 * For SQLite (in memory, as in the demo) and PostgreSQL (BENCH_POSTGRES_URL, default
 * postgresql://iamtest:iamtest-pw@localhost:5432; skipped with a note when unreachable) it starts a
 * real backend on loopback (createBackend: auth with the guest provider, the catalog with role
 * entities from a provider, the iam-roles plugin), signs in as many users, and measures with
 * autocannon: the catalog's GET /api/catalog/entities/by-name/… (the yardstick), POST /requests and
 * GET /requests, in interleaved rounds; the ratios are the medians of the per-round ratios.
 * The broker keeps one open request per (user, role), so every create of a run is a distinct pair
 * of a user and a role (bench/distinctPairs.cjs). Then it fires BENCH_BURST (1,000) concurrent
 * creates of distinct pairs on one role, expecting as many 201s and rows, and a burst of duplicates
 * of one pair, expecting one 201 and 409s for the rest. The per-user rate limit is raised beyond
 * reach: the bench measures the broker's throughput, not its limiter.
 * Notifications are replaced by a no-op (no notifications backend in this process).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import knexFactory from 'knex';
import { createBackend } from '@backstage/backend-defaults';
import {
  createBackendModule,
  createServiceFactory,
  coreServices,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { parse as parseYaml } from 'yaml';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type {
  AccessRequest,
  ListPage,
} from '@backstage-iam/plugin-iam-roles-common';
import { notificationService } from '@backstage/plugin-notifications-node';
import iamRolesPlugin from '../src';

process.env.LOG_LEVEL ??= 'warn';

const PHASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** Concurrent creates of distinct (user, role) pairs on one role. */
const BURST = Number(process.env.BENCH_BURST ?? 1000);
/** Concurrent creates of one (user, role) pair: one is created, the others are refused (409). */
const DUPLICATES = 20;
/** Role entities: ROLES - 1 for the measured creates, one for the bursts. */
const ROLES = 101;
/** Past requests in the PostgreSQL database before measuring; BENCH_HISTORY=0 measures a new, unanalysed one. */
const HISTORY_REQUESTS = Number(process.env.BENCH_HISTORY ?? 20_000);
const HISTORY_USERS = 1_000;
/**
 * Users who create requests: one for each create of the burst (user-0 … the history's users by
 * default) and one for the duplicates. Each may open one request per role, so the warm-up and the
 * rounds have USERS × (ROLES - 1) distinct pairs between them.
 */
const USERS = BURST + 1;
/** Requests one user may create per window: beyond what a user of the bench can reach. */
const RATE_LIMIT = { maxRequests: 100_000_000, windowSeconds: 60 };
const PAIRS_MODULE = path.join(__dirname, 'distinctPairs.cjs');
const PG_URL =
  process.env.BENCH_POSTGRES_URL ??
  'postgresql://iamtest:iamtest-pw@localhost:5432';
const BROKER_ARN = 'arn:aws:iam::111111111111:role/backstage-access-broker';

// Modules of the demo app, resolved from the workspace (they are not dependencies of this package).
const CATALOG_BACKEND = '@backstage/plugin-catalog-backend';
const AUTH_BACKEND = '@backstage/plugin-auth-backend';
const GUEST_PROVIDER = '@backstage/plugin-auth-backend-module-guest-provider';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * The catalog's content: the group from a file, the roles from an entity provider with the
 * annotations the catalog module's provider sets (the broker trusts no other role entity, and a
 * file location would overwrite them).
 */
function catalogContent(): { file: string; roles: Entity[] } {
  const docs: string[] = [];
  const roles: Entity[] = [];
  const role = (name: string) => `apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: ${name}
  annotations:
    backstage.io/managed-by-location: aws-iam-account:111111111111
    backstage.io/managed-by-origin-location: aws-iam-account:111111111111
    iam-roles.backstage-iam.io/provider: bench
    amazonaws.com/arn: arn:aws:iam::111111111111:role/${name}
    amazonaws.com/account-id: '111111111111'
spec:
  type: aws-iam-role
  owner: group:default/team-bench
  iam:
    arn: arn:aws:iam::111111111111:role/${name}
    accountId: '111111111111'
    roleName: ${name}
    path: /
    roleId: AROABENCH${name.length}
    trustPolicy:
      Version: '2012-10-17'
      Statement:
        - Effect: Allow
          Principal:
            AWS: ${BROKER_ARN}
          Action: [sts:AssumeRole, sts:SetSourceIdentity, sts:TagSession]
    attachedManagedPolicies: []
    inlinePolicyNames: []
    findings: []
    risk: none
`;
  for (let i = 0; i < ROLES - 1; i++) {
    roles.push(parseYaml(role(`bench-role-${i}`)));
  }
  roles.push(parseYaml(role('bench-role-burst')));
  docs.push(`apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-bench
spec:
  type: team
  children: []
`);
  const file = path.join(os.tmpdir(), `iam-roles-bench-${process.pid}.yaml`);
  fs.writeFileSync(file, docs.join('---\n'));
  return { file, roles };
}

/** A catalog module that emits the bench's role entities, as the IAM module's provider does. */
function benchRoleProvider(roles: Entity[]) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'bench-iam-roles',
    register(reg) {
      reg.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.addEntityProvider({
            getProviderName: () => 'bench-iam-roles',
            async connect(connection) {
              await connection.applyMutation({
                type: 'full',
                entities: roles.map(entity => ({
                  entity,
                  locationKey: 'aws-iam-account:111111111111',
                })),
              });
            },
          });
        },
      });
    },
  });
}

async function pgReachable(): Promise<boolean> {
  const db = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/postgres`,
    pool: { min: 0, max: 1 },
  });
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}

async function dropDatabases(prefix: string) {
  const db = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/postgres`,
    pool: { min: 0, max: 1 },
  });
  try {
    const { rows } = await db.raw(
      'select datname from pg_database where datname like ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await db.raw('drop database if exists ?? with (force)', [datname]);
    }
  } finally {
    await db.destroy();
  }
}

/**
 * Gives the broker's PostgreSQL database the state of one that has been in use: past requests of
 * many users (a quarter approved, with their approval and grant), then ANALYZE, which autovacuum
 * does in production. Without statistics, PostgreSQL plans the list query for a table it believes
 * empty and sorts every row of the user, a state no long-running database is in.
 */
async function seedHistory(prefix: string) {
  const admin = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/postgres`,
    pool: { min: 0, max: 1 },
  });
  const { rows } = await admin.raw(
    'select datname from pg_database where datname = ?',
    [`${prefix}iam-roles`],
  );
  await admin.destroy();
  if (rows.length !== 1) {
    throw new Error(`No database ${prefix}iam-roles to seed`);
  }
  const db = knexFactory({
    client: 'pg',
    connection: `${PG_URL}/${prefix}iam-roles`,
    pool: { min: 0, max: 1 },
  });
  try {
    const start = Date.now() - HISTORY_REQUESTS * 60_000;
    const at = (i: number) => new Date(start + i * 60_000).toISOString();
    const requests = [];
    const approvals = [];
    const grants = [];
    const statuses = ['approved', 'denied', 'expired', 'cancelled'];
    for (let i = 0; i < HISTORY_REQUESTS; i++) {
      const id = randomUUID();
      const role = `bench-role-${i % (ROLES - 1)}`;
      const user = `user:default/user-${i % HISTORY_USERS}`;
      const status = statuses[i % statuses.length];
      requests.push({
        id,
        role_ref: `resource:default/${role}`,
        role_arn: `arn:aws:iam::111111111111:role/${role}`,
        owner_ref: 'group:default/team-bench',
        requester: user,
        justification: `Past request #${i}: on-call investigation`,
        duration_minutes: 60,
        status,
        required_approvals: 1,
        version: 1,
        created_at: at(i),
        updated_at: at(i),
        expires_at: at(i + 24 * 60),
        decided_at: status === 'expired' ? null : at(i),
        decided_by:
          status === 'approved' || status === 'denied'
            ? 'user:default/owner'
            : null,
      });
      if (status === 'approved') {
        approvals.push({
          request_id: id,
          approver: 'user:default/owner',
          at: at(i),
        });
        grants.push({
          id: randomUUID(),
          request_id: id,
          role_ref: `resource:default/${role}`,
          role_arn: `arn:aws:iam::111111111111:role/${role}`,
          owner_ref: 'group:default/team-bench',
          user_ref: user,
          status: 'expired',
          approvers: JSON.stringify(['user:default/owner']),
          granted_at: at(i),
          expires_at: at(i + 60),
        });
      }
    }
    await db.batchInsert('iam_access_requests', requests, 1000);
    await db.batchInsert('iam_approvals', approvals, 1000);
    await db.batchInsert('iam_grants', grants, 1000);
    await db.raw('analyze iam_access_requests, iam_approvals, iam_grants');
  } finally {
    await db.destroy();
  }
}

/** The guest provider's config, which the bench changes between sign-ins (see {@link signIn}). */
type GuestConfig = {
  dangerouslyAllowOutsideDevelopment: boolean;
  userEntityRef?: string;
  ownershipEntityRefs?: string[];
};

/**
 * Signs in through the guest provider as `userRef`: a real Backstage token, verified as the demo's
 * are. The provider reads `userEntityRef` and `ownershipEntityRefs` from its config at each sign-in,
 * and the bench owns that config, so it signs in as many users by changing them in between. Each
 * token's subject is checked: a provider that read them once would fail the bench rather than turn
 * it back into one user.
 */
async function signIn(
  baseUrl: string,
  guest: GuestConfig,
  userRef: string,
  ownershipEntityRefs: string[] = [userRef],
): Promise<string> {
  guest.userEntityRef = userRef;
  guest.ownershipEntityRefs = ownershipEntityRefs;
  const session = await fetch(
    `${baseUrl}/api/auth/guest/refresh?env=development`,
    { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
  );
  const body = await session.json();
  const token: string | undefined = body?.backstageIdentity?.token;
  if (!token) {
    throw new Error(
      `Guest sign-in as ${userRef} failed: ${session.status} ${JSON.stringify(
        body,
      )}`,
    );
  }
  const { sub } = JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
  );
  if (sub !== userRef) {
    throw new Error(
      `Guest sign-in as ${userRef} gave a token for ${sub}: the guest provider no longer reads userEntityRef at each sign-in`,
    );
  }
  return token;
}

async function waitFor(what: string, fn: () => Promise<boolean>, seconds = 90) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await fn().catch(() => false)) {
      return;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

interface Phase {
  p50: number;
  p99: number;
  rps: number;
  errors5xx: number;
}

interface Figures {
  db: string;
  yardstick: Phase;
  create: Phase;
  list: Phase;
  /** p99 of create and list over the yardstick's p99, per round. */
  ratios: Array<{ create: number; list: number }>;
  burst: {
    /** 201 answers. */
    accepted: number;
    /** Rows found afterwards. */
    created: number;
    lost: number;
    errors5xx: number;
    seconds: number;
  };
  duplicates: { accepted: number; refused: number; rows: number };
  signInSeconds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median latencies and throughput over the rounds of one phase. */
function summary(results: AutocannonResult[]): Phase {
  return {
    p50: median(results.map(r => r.latency.p50)),
    p99: median(results.map(r => r.latency.p99)),
    rps: median(results.map(r => r.requests.average)),
    errors5xx: results.reduce((n, r) => n + r['5xx'], 0),
  };
}

async function run(db: 'sqlite' | 'postgres'): Promise<Figures> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const prefix = `iambench_${process.pid}_`;
  const { file: entitiesFile, roles } = catalogContent();
  const guest: GuestConfig = { dangerouslyAllowOutsideDevelopment: true };
  const config = new ConfigReader({
    backend: {
      baseUrl,
      listen: { port, host: '127.0.0.1' },
      database:
        db === 'sqlite'
          ? { client: 'better-sqlite3', connection: ':memory:' }
          : { client: 'pg', connection: PG_URL, prefix },
    },
    app: { baseUrl },
    auth: {
      environment: 'development',
      providers: { guest },
    },
    catalog: {
      rules: [{ allow: ['Resource', 'Group', 'Component', 'Location'] }],
      locations: [{ type: 'file', target: entitiesFile }],
    },
    iamRoles: {
      // the demo refreshes every 15 s; each refresh reads all roles through the catalog's API
      trust: {
        refreshIntervalSeconds: Number(
          process.env.BENCH_TRUST_REFRESH_SECONDS ?? 20,
        ),
      },
      broker: {
        maxDurationMinutes: 480,
        rateLimit: RATE_LIMIT,
        sts: { brokerPrincipalArn: BROKER_ARN },
      },
    },
  });

  const backend = createBackend();
  backend.add(
    createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () => config,
    }),
  );
  backend.add(
    createServiceFactory({
      service: notificationService,
      deps: {},
      factory: () => ({ async send() {} }),
    }),
  );
  backend.add(import(AUTH_BACKEND));
  backend.add(import(GUEST_PROVIDER));
  backend.add(import(CATALOG_BACKEND));
  backend.add(benchRoleProvider(roles));
  backend.add(iamRolesPlugin);
  await backend.start();

  try {
    const yardstickUrl = `${baseUrl}/api/catalog/entities/by-name/resource/default/bench-role-0`;
    // user-0 reads (the yardstick, the list); the owner of the bench's roles counts the bursts' rows.
    const signInStarted = Date.now();
    const tokens: string[] = [];
    for (let i = 0; i < USERS; i++) {
      tokens.push(await signIn(baseUrl, guest, `user:default/user-${i}`));
    }
    const ownerToken = await signIn(
      baseUrl,
      guest,
      'user:default/bench-owner',
      ['user:default/bench-owner', 'group:default/team-bench'],
    );
    const signInSeconds = (Date.now() - signInStarted) / 1000;
    const headers = {
      Authorization: `Bearer ${tokens[0]}`,
      'Content-Type': 'application/json',
    };

    await waitFor(
      'the catalog to ingest the roles',
      async () =>
        (
          await fetch(
            `${baseUrl}/api/catalog/entities/by-name/resource/default/bench-role-burst`,
            { headers },
          )
        ).ok,
    );
    // `/lookup` answers from the index only: once it lists every role, no request takes the fallback path.
    await waitFor('the trust index to hold every role', async () => {
      const res = await fetch(
        `${baseUrl}/api/iam-roles/lookup?q=${encodeURIComponent(BROKER_ARN)}`,
        { headers },
      );
      return res.ok && (await res.json()).roles.length === ROLES;
    });

    const requestsPath = '/api/iam-roles/requests';
    const roleRefs = Array.from(
      { length: ROLES - 1 },
      (_, i) => `resource:default/bench-role-${i}`,
    );
    /** Creates from the pairs first … first + count - 1 (see bench/distinctPairs.cjs). */
    const creating = async (
      first: number,
      count: number,
      load: { connections: number; duration?: number; amount?: number },
    ) => {
      const result = await autocannon({
        url: `${baseUrl}${requestsPath}`,
        headers: { 'Content-Type': 'application/json' },
        requests: [
          {
            method: 'POST',
            path: requestsPath,
            setupRequest: PAIRS_MODULE,
            pairs: {
              tokens,
              roleRefs,
              first,
              count,
              justification: 'Benchmark request: investigate a deploy failure',
            },
          },
        ],
        workers: 1,
        ...load,
      });
      // A connection builds its next request before it is sent.
      if (result.requests.sent + load.connections > count) {
        throw new Error(
          `A create phase sent ${result.requests.sent} requests with ${count} distinct (user, role) pairs to take them from: fewer BENCH_SECONDS, or more users with a larger BENCH_BURST`,
        );
      }
      return result;
    };
    // The warm-up takes the pairs of its first roles (every user on bench-role-0, …), each round
    // a range of the rest.
    const warmUp = { connections: 4, amount: 200 };
    const warmPairs =
      USERS * Math.ceil((warmUp.amount + warmUp.connections) / USERS);
    const roundPairs = Math.floor((USERS * (ROLES - 1) - warmPairs) / ROUNDS);
    const warm = await creating(0, warmPairs, warmUp);
    if (warm['5xx'] || warm.non2xx) {
      throw new Error(`warm-up failed: ${warm.non2xx} non-2xx responses`);
    }
    if (db === 'postgres' && HISTORY_REQUESTS > 0) {
      await seedHistory(prefix);
    }

    // Rounds of yardstick, create and list in turn, so that a change of machine load between
    // phases (another process, garbage collection, the trust index refresh) hits all three alike.
    const yardsticks: AutocannonResult[] = [];
    const creates: AutocannonResult[] = [];
    const lists: AutocannonResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      yardsticks.push(
        await autocannon({
          url: yardstickUrl,
          headers,
          connections: CONNECTIONS,
          duration: PHASE_SECONDS,
          workers: 1,
        }),
      );
      creates.push(
        await creating(warmPairs + round * roundPairs, roundPairs, {
          connections: CONNECTIONS,
          duration: PHASE_SECONDS,
        }),
      );
      lists.push(
        await autocannon({
          url: `${baseUrl}${requestsPath}?mine=true&limit=20`,
          headers,
          connections: CONNECTIONS,
          duration: PHASE_SECONDS,
          workers: 1,
        }),
      );
    }

    const burstRole = 'resource:default/bench-role-burst';
    const create = (token: string, justification: string) =>
      fetch(`${baseUrl}${requestsPath}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          roleRef: burstRole,
          justification,
          durationMinutes: 30,
        }),
      })
        .then(r => r.status)
        .catch(() => 599);
    // The burst: users 0 … BURST - 1, one create each, all at once on one role.
    const marker = `Burst ${randomUUID()}`;
    const started = Date.now();
    const statuses = await Promise.all(
      tokens
        .slice(0, BURST)
        .map((token, i) => create(token, `${marker} #${i}`)),
    );
    const seconds = (Date.now() - started) / 1000;
    // The duplicates: user BURST asks for the same role DUPLICATES times at once.
    const duplicateMarker = `Duplicate ${randomUUID()}`;
    const duplicateStatuses = await Promise.all(
      Array.from({ length: DUPLICATES }, () =>
        create(tokens[BURST], duplicateMarker),
      ),
    );
    // Counted as the roles' owner, who sees every request for them.
    let created = 0;
    let duplicateRows = 0;
    for (let offset = 0; ; offset += 500) {
      const page = await fetch(
        `${baseUrl}${requestsPath}?roleRef=${burstRole}&limit=500&offset=${offset}`,
        { headers: { Authorization: `Bearer ${ownerToken}` } },
      ).then(r => r.json() as Promise<ListPage<AccessRequest>>);
      for (const r of page.items) {
        if (r.justification.startsWith(marker)) {
          created += 1;
        } else if (r.justification === duplicateMarker) {
          duplicateRows += 1;
        }
      }
      if (offset + page.items.length >= page.totalItems) {
        break;
      }
    }
    const figures: Figures = {
      db,
      yardstick: summary(yardsticks),
      create: summary(creates),
      list: summary(lists),
      ratios: yardsticks.map((y, i) => ({
        create: creates[i].latency.p99 / Math.max(y.latency.p99, 1),
        list: lists[i].latency.p99 / Math.max(y.latency.p99, 1),
      })),
      burst: {
        accepted: statuses.filter(s => s === 201).length,
        created,
        lost: BURST - created,
        errors5xx: [...statuses, ...duplicateStatuses].filter(s => s >= 500)
          .length,
        seconds,
      },
      duplicates: {
        accepted: duplicateStatuses.filter(s => s === 201).length,
        refused: duplicateStatuses.filter(s => s === 409).length,
        rows: duplicateRows,
      },
      signInSeconds,
    };
    const non2xx = (results: AutocannonResult[]) =>
      results.reduce((n, r) => n + r.non2xx - r['5xx'], 0);
    if (non2xx(yardsticks) + non2xx(creates) + non2xx(lists) > 0) {
      throw new Error(
        `unexpected non-2xx responses: yardstick ${non2xx(
          yardsticks,
        )}, create ${non2xx(creates)}, list ${non2xx(lists)}`,
      );
    }
    return figures;
  } finally {
    await backend.stop();
    fs.rmSync(entitiesFile, { force: true });
    if (db === 'postgres') {
      await dropDatabases(prefix);
    }
  }
}

function row(label: string, f: { p50: number; p99: number; rps: number }) {
  return `  ${label.padEnd(34)} p50 ${String(f.p50).padStart(
    4,
  )} ms  p99 ${String(f.p99).padStart(4)} ms  ${Math.round(f.rps)
    .toString()
    .padStart(6)} req/s`;
}

async function main() {
  const started = Date.now();
  const dbs: Array<'sqlite' | 'postgres'> =
    process.env.BENCH_DBS === 'postgres' ? [] : ['sqlite'];
  if (process.env.BENCH_DBS === 'sqlite') {
    console.log('BENCH_DBS=sqlite: measuring SQLite only');
  } else if (await pgReachable()) {
    dbs.push('postgres');
  } else {
    console.log(
      `PostgreSQL at ${PG_URL.replace(
        /:[^:@/]+@/,
        ':***@',
      )} is not reachable: measuring SQLite only`,
    );
  }
  console.log(
    `${CONNECTIONS} connections, ${ROUNDS} rounds of ${PHASE_SECONDS} s per phase, then ${BURST} concurrent creates and ${DUPLICATES} duplicates of one; Node ${
      process.version
    }, ${os.cpus().length} CPUs`,
  );
  console.log(
    `${USERS} users, each create a distinct (user, role) pair; rate limit raised to ${RATE_LIMIT.maxRequests} requests per user per ${RATE_LIMIT.windowSeconds} s: this measures throughput, not the limiter`,
  );
  const lines: string[] = [];
  let ok = true;
  for (const db of dbs) {
    const f = await run(db);
    const ratio = median(f.ratios.map(r => r.create));
    const listRatio = median(f.ratios.map(r => r.list));
    console.log(
      `\n${db} (median of ${ROUNDS} rounds; ${
        USERS + 1
      } sign-ins took ${f.signInSeconds.toFixed(1)} s)`,
    );
    console.log(row('GET catalog entities/by-name', f.yardstick));
    console.log(row('POST /api/iam-roles/requests', f.create));
    console.log(row('GET /api/iam-roles/requests', f.list));
    console.log(
      `  p99 over the yardstick's, per round: create ${f.ratios
        .map(r => r.create.toFixed(1))
        .join(' ')}; list ${f.ratios.map(r => r.list.toFixed(1)).join(' ')}`,
    );
    console.log(
      `  ${BURST} concurrent creates of distinct pairs: ${
        f.burst.accepted
      } × 201, ${f.burst.created} rows, ${f.burst.lost} lost, ${
        f.burst.errors5xx
      } 5xx, in ${f.burst.seconds.toFixed(1)} s`,
    );
    console.log(
      `  ${DUPLICATES} concurrent creates of one pair: ${
        f.duplicates.accepted
      } × 201, ${f.duplicates.refused} × 409, ${f.duplicates.rows} row${
        f.duplicates.rows === 1 ? '' : 's'
      }`,
    );
    const errors5xx = f.burst.errors5xx + f.create.errors5xx + f.list.errors5xx;
    const pass =
      ratio <= 2 &&
      listRatio <= 2 &&
      f.burst.accepted === BURST &&
      f.burst.created === BURST &&
      f.duplicates.accepted === 1 &&
      f.duplicates.refused === DUPLICATES - 1 &&
      f.duplicates.rows === 1 &&
      errors5xx === 0;
    console.log(
      `  target p99 ≤ 2× yardstick, ${BURST} × 201 and rows, one of ${DUPLICATES} duplicates, zero 5xx: ${
        pass ? 'met' : 'NOT met'
      }`,
    );
    ok &&= pass;
    lines.push(
      `db=${db} p99_ms=${f.create.p99} list_p99_ms=${
        f.list.p99
      } yardstick_p99_ms=${f.yardstick.p99} ratio=${ratio.toFixed(
        1,
      )} list_ratio=${listRatio.toFixed(1)} create_rps=${Math.round(
        f.create.rps,
      )} accepted=${f.burst.accepted} created=${f.burst.created} lost=${
        f.burst.lost
      } duplicates_created=${f.duplicates.rows} duplicates_refused=${
        f.duplicates.refused
      } errors_5xx=${errors5xx}${
        db === 'postgres' ? ` history=${HISTORY_REQUESTS}` : ''
      }`,
    );
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(lines.join(' | '));
  process.exit(ok ? 0 : 1);
}

main().catch(error => {
  console.error(error);
  process.exit(2);
});
