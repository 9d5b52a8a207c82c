#!/usr/bin/env node
// `yarn test:reliability`: two replicas of the demo backend on one PostgreSQL, and the fuzz tests.
//
// Starts packages/backend twice from source (as the e2e tests do: no build) on ports 7201 and 7202
// over one PostgreSQL (a fresh database prefix per run), and checks:
//   - the scheduled account read runs on one replica at a time (scheduler scope global);
//   - a request created on one replica is approved on the other;
//   - approvals and denials racing across replicas yield one decision per request;
//   - SIGKILL of a replica during a burst of request creation, then a restart: every request that
//     got a 2xx before the kill is in the database, none twice (retries with the same idempotency key);
//   - grants that expired while every replica was down are expired after the restart;
//   - no catalog entity is lost across the kills and restarts.
// Meanwhile it runs the fuzz tests (jest) and reads their figures. The last line prints the figures;
// the exit code is non-zero on any failure.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const require = createRequire(path.join(root, 'package.json'));
const knexFactory = require('knex');

const PORTS = [7201, 7202];
const PG =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://iamtest:iamtest-pw@localhost:5432';
const PREFIX = `reliab_run_${process.pid}_`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'iam-reliability-'));
const started = Date.now();
const failures = [];
const figures = {
  replicas: PORTS.length,
  lost_requests: 0,
  duplicate_requests: 0,
  lost_entities: 0,
  fuzz_cases: 0,
  crashes: 0,
  '5xx': 0,
};

const log = (...args) =>
  console.log(
    `[reliability ${((Date.now() - started) / 1000).toFixed(1)}s]`,
    ...args,
  );
function check(ok, what) {
  if (ok) {
    log(`ok   ${what}`);
  } else {
    log(`FAIL ${what}`);
    failures.push(what);
  }
}
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

async function until(what, fn, timeoutMs = 90_000, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${last ? `: ${last.message}` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------------ replicas

function configFor(port) {
  const file = path.join(work, `app-config.${port}.yaml`);
  fs.writeFileSync(
    file,
    `# written by scripts/reliability/run.mjs
app:
  baseUrl: http://localhost:${port}
backend:
  baseUrl: http://localhost:${port}
  listen:
    port: ${port}
  cors:
    origin: http://localhost:${port}
  database:
    client: pg
    connection: ${JSON.stringify(PG)}
    prefix: ${PREFIX}
catalog:
  providers:
    awsIam:
      sample:
        schedule:
          frequency: { minutes: 0, seconds: 4 }
          timeout: { minutes: 2 }
          initialDelay: { seconds: 1 }
iamRoles:
  trust:
    refreshIntervalSeconds: 3
  broker:
    expiryIntervalSeconds: 2
    rateLimit: { maxRequests: 100000, windowSeconds: 3600 }
`,
  );
  return file;
}

const replicas = PORTS.map(port => ({
  port,
  base: `http://localhost:${port}`,
  config: configFor(port),
  logFile: path.join(work, `backend-${port}.log`),
  child: undefined,
  generation: 0,
}));

function start(replica) {
  replica.generation += 1;
  const out = fs.openSync(replica.logFile, 'a');
  fs.writeSync(
    out,
    `\n===== start ${replica.generation} at ${new Date().toISOString()}\n`,
  );
  replica.child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
      'src/index.ts',
      '--config',
      path.join(root, 'app-config.yaml'),
      '--config',
      replica.config,
    ],
    {
      cwd: path.join(root, 'packages/backend'),
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info' },
      stdio: ['ignore', out, out],
    },
  );
  const child = replica.child;
  child.on('exit', (code, signal) => {
    child.exited = { code, signal };
  });
}

async function ready(replica) {
  await until(
    `the backend on :${replica.port}`,
    async () => {
      if (replica.child.exited) {
        throw new Error(
          `it exited (${JSON.stringify(replica.child.exited)}); see ${
            replica.logFile
          }`,
        );
      }
      const res = await fetch(`${replica.base}/.backstage/health/v1/readiness`);
      return res.ok;
    },
    150_000,
  );
}

function kill(replica) {
  return new Promise(resolve => {
    const child = replica.child;
    if (!child || child.exited) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

// ------------------------------------------------------------------ API

const tokens = new Map();
async function token(replica, user) {
  const key = `${replica.port}:${user}`;
  if (!tokens.has(key)) {
    const value = await until(`a token for ${user}`, async () => {
      const res = await fetch(
        `${replica.base}/api/auth/demo/refresh?env=development`,
        {
          headers: {
            'x-demo-user': user,
            'X-Requested-With': 'XMLHttpRequest',
          },
        },
      );
      return res.ok ? (await res.json()).backstageIdentity.token : undefined;
    });
    tokens.set(key, value);
  }
  return tokens.get(key);
}

async function api(replica, user, method, route, body, headers = {}) {
  const res = await fetch(`${replica.base}${route}`, {
    method,
    headers: {
      Authorization: `Bearer ${await token(replica, user)}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text };
}

// ------------------------------------------------------------------ fuzz (jest), in parallel

function readReport(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(l => JSON.parse(l));
}

function runFuzz() {
  // scripts/test ran the fuzz tests with the other jest tests: report their figures, do not run them twice.
  const given = process.env.IAM_RELIABILITY_FUZZ_REPORT;
  if (given && fs.existsSync(given) && readReport(given).length) {
    const lines = readReport(given);
    log(`fuzz figures from the jest run (${given})`);
    return Promise.resolve({
      code: lines.every(l => !l.crashes) ? 0 : 1,
      output: '',
      lines,
    });
  }
  const report = path.join(work, 'fuzz.jsonl');
  fs.writeFileSync(report, '');
  return new Promise(resolve => {
    const child = spawn(
      'yarn',
      [
        'backstage-cli',
        'repo',
        'test',
        'plugins/catalog-backend-module-aws-iam/src/fuzz.test.ts',
        'plugins/iam-roles-backend/src/fuzz.test.ts',
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          CI: 'true',
          IAM_FUZZ_REPORT: report,
          IAM_FUZZ_BROKER_CASES: '400',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    child.on('exit', code => {
      resolve({ code, output, lines: readReport(report) });
    });
  });
}

// ------------------------------------------------------------------ scenarios

const DEVELOPER = 'carlos.garcia';
const OWNER = 'priya.patel';
// A user has at most one open request per role (409 for a second): the races and the burst use
// one (user, role) pair per request. Demo users other than the owner who decides.
const REQUESTERS = [
  'carlos.garcia',
  'maria.lopez',
  'jane.doe',
  'john.smith',
  'mei.chen',
  'ahmed.hassan',
  'sofia.rossi',
  'liam.obrien',
  'yuki.tanaka',
  'olivia.brown',
  'noah.kim',
  'emma.wilson',
  'lucas.martin',
  'ava.nguyen',
];

/** Roles every demo user may request (not AWS-managed, no eligibility rule), other than `except`. */
async function requestableRoles(replica, except, wanted) {
  const out = [];
  for (const ref of await roleRefs(replica)) {
    if (ref === except || out.length >= wanted) continue;
    const res = await api(
      replica,
      DEVELOPER,
      'GET',
      `/api/iam-roles/request-options?role=${encodeURIComponent(ref)}`,
    );
    if (res.status === 200 && res.body.requestable && !res.body.eligibleGroups)
      out.push(ref);
  }
  if (out.length < wanted)
    throw new Error(`only ${out.length} requestable roles, ${wanted} needed`);
  return out;
}

async function roleOwnedBy(replica, group) {
  return until(
    `a role entity owned by ${group} in the catalog`,
    async () => {
      const res = await api(
        replica,
        DEVELOPER,
        'GET',
        `/api/catalog/entities/by-query?filter=kind=resource,spec.type=aws-iam-role,spec.owner=${encodeURIComponent(
          group,
        )}&limit=1&fields=kind,metadata.namespace,metadata.name`,
      );
      const entity = res.body?.items?.[0];
      return entity ? `resource:default/${entity.metadata.name}` : undefined;
    },
    180_000,
  );
}

async function roleRefs(replica) {
  const refs = new Set();
  let cursor;
  do {
    const res = await api(
      replica,
      DEVELOPER,
      'GET',
      `/api/catalog/entities/by-query?filter=kind=resource&fields=kind,metadata.namespace,metadata.name&limit=500${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      }`,
    );
    if (res.status !== 200)
      throw new Error(`catalog query: ${res.status} ${res.text}`);
    for (const e of res.body.items)
      refs.add(`resource:default/${e.metadata.name}`);
    cursor = res.body.pageInfo?.nextCursor;
  } while (cursor);
  return refs;
}

const createBody = (roleRef, n, key) => ({
  roleRef,
  justification: `Reliability run: investigate incident ${n}`,
  durationMinutes: 30,
  ...(key ? { idempotencyKey: key } : {}),
});

async function main() {
  const db = knexFactory({
    client: 'pg',
    connection: databaseUrl(`${PREFIX}iam-roles`),
    pool: { min: 0, max: 4 },
  });
  const fuzz = runFuzz();
  let exitCode = 0;
  try {
    log(
      `starting ${replicas.length} replicas on one PostgreSQL (database prefix ${PREFIX}); logs in ${work}`,
    );
    // One after the other on a fresh database: started together, the second replica's core auth
    // service fails with knex's MigrationLocked (Backstage's own key store migrations do not wait
    // for the lock) and that replica never becomes ready.
    start(replicas[0]);
    await ready(replicas[0]);
    start(replicas[1]);
    await ready(replicas[1]);
    const [a, b] = replicas;

    const roleRef = await roleOwnedBy(a, 'group:default/payments');
    await until('the broker on both replicas to know the role', async () => {
      for (const r of replicas) {
        const res = await api(
          r,
          DEVELOPER,
          'GET',
          `/api/iam-roles/roles/trust?entityRef=${roleRef}`,
        );
        if (res.status !== 200) return false;
      }
      return true;
    });
    const entitiesBefore = await roleRefs(a);
    log(
      `${entitiesBefore.size} resource entities in the catalog; requests on ${roleRef}`,
    );

    // A request created on one replica is approved on the other.
    const created = await api(
      a,
      DEVELOPER,
      'POST',
      '/api/iam-roles/requests',
      createBody(roleRef, 1),
    );
    check(
      created.status === 201,
      `request created on :${a.port} (${created.status})`,
    );
    const approved = await api(
      b,
      OWNER,
      'POST',
      `/api/iam-roles/requests/${created.body?.id}/approve`,
      {
        reason: 'approved on the other replica',
      },
    );
    check(
      approved.status === 200 && approved.body?.status === 'approved',
      `the request is approved on :${b.port} (${approved.status} ${
        approved.body?.status ?? approved.text
      })`,
    );
    const seen = await api(
      a,
      DEVELOPER,
      'GET',
      `/api/iam-roles/requests/${created.body?.id}`,
    );
    check(
      seen.body?.status === 'approved' && seen.body?.grant?.status === 'active',
      `:${a.port} sees the approval and the grant`,
    );

    // Decisions racing across replicas: one decision per request.
    const racers = [];
    for (let i = 0; i < 8; i++) {
      const r = await api(
        a,
        REQUESTERS[i + 1],
        'POST',
        '/api/iam-roles/requests',
        createBody(roleRef, 100 + i),
      );
      racers.push(r.body.id);
    }
    const outcomes = await Promise.all(
      racers.map((id, i) =>
        Promise.all([
          api(a, OWNER, 'POST', `/api/iam-roles/requests/${id}/approve`, {
            reason: 'race on a',
          }),
          i % 2
            ? api(b, OWNER, 'POST', `/api/iam-roles/requests/${id}/approve`, {
                reason: 'race on b',
              })
            : api(b, OWNER, 'POST', `/api/iam-roles/requests/${id}/deny`, {
                reason: 'race on b',
              }),
        ]),
      ),
    );
    let oneDecision = true;
    for (const [i, pair] of outcomes.entries()) {
      const statuses = pair.map(p => p.status).sort();
      const fiveXX = statuses.filter(s => s >= 500).length;
      figures['5xx'] += fiveXX;
      const id = racers[i];
      const [row] = await db('iam_access_requests').where({ id });
      const decisions = await db('iam_audit_log')
        .where({ request_id: id })
        .whereIn('action', ['request-approved', 'request-denied']);
      const grants = await db('iam_grants').where({ request_id: id });
      const ok =
        fiveXX === 0 &&
        statuses.filter(s => s === 200).length === 1 &&
        decisions.length === 1 &&
        grants.length === (row.status === 'approved' ? 1 : 0) &&
        ['approved', 'denied'].includes(row.status);
      if (!ok) {
        oneDecision = false;
        log(
          `  request ${id}: responses ${statuses.join(', ')}, status ${
            row.status
          }, ${decisions.length} decisions, ${grants.length} grants`,
        );
      }
    }
    check(
      oneDecision,
      `${racers.length} decision races across the replicas: one decision each, the loser told 409`,
    );

    // SIGKILL during a burst of request creation, then a restart.
    const answered = new Map(); // key → id of a 2xx
    const unanswered = [];
    const keys = Array.from(
      { length: 240 },
      (_, i) => `burst-${i}-${randomUUID()}`,
    );
    const burstRoles = await requestableRoles(
      a,
      roleRef,
      Math.ceil(keys.length / REQUESTERS.length),
    );
    // Submission i: its own (user, role) pair, the same on every retry.
    const pairOf = i => ({
      user: REQUESTERS[i % REQUESTERS.length],
      roleRef: burstRoles[Math.floor(i / REQUESTERS.length)],
    });
    let next = 0;
    let killed;
    const worker = async () => {
      while (next < keys.length) {
        const i = next++;
        const key = keys[i];
        if (i === 120) killed = kill(a);
        try {
          const res = await api(
            a,
            pairOf(i).user,
            'POST',
            '/api/iam-roles/requests',
            createBody(pairOf(i).roleRef, 1000 + i, key),
          );
          if (res.status >= 500) figures['5xx'] += 1;
          if (res.status === 201 || res.status === 200)
            answered.set(key, res.body.id);
          else unanswered.push(key);
        } catch {
          unanswered.push(key); // the connection died with the replica
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await killed;
    log(
      `burst: ${answered.size} requests answered 2xx before the SIGKILL, ${unanswered.length} not`,
    );
    start(a);
    // Clients retry what got no answer, with the same idempotency key, on the replica still up,
    // while the killed one restarts; then once more through the restarted one (replays).
    for (const key of unanswered) {
      const i = keys.indexOf(key);
      const res = await api(
        b,
        pairOf(i).user,
        'POST',
        '/api/iam-roles/requests',
        createBody(pairOf(i).roleRef, 1000 + i, key),
      );
      if (res.status >= 500) figures['5xx'] += 1;
      if (res.status === 201 || res.status === 200)
        answered.set(key, res.body.id);
    }
    await ready(a);
    let replays = 0;
    for (const key of keys.slice(0, 40)) {
      const i = keys.indexOf(key);
      const res = await api(
        a,
        pairOf(i).user,
        'POST',
        '/api/iam-roles/requests',
        createBody(pairOf(i).roleRef, 1000 + i, key),
      );
      if (res.status >= 500) figures['5xx'] += 1;
      if (res.status === 200 && res.body.id === answered.get(key)) replays += 1;
    }
    check(
      replays === 40,
      `the restarted replica answers retries as replays of the stored requests (${replays}/40)`,
    );
    const rows = await db('iam_access_requests')
      .whereIn('idempotency_key', keys)
      .select('id', 'idempotency_key');
    const byKey = new Map();
    for (const row of rows)
      byKey.set(row.idempotency_key, [
        ...(byKey.get(row.idempotency_key) ?? []),
        row.id,
      ]);
    for (const [key, id] of answered) {
      const stored = byKey.get(key) ?? [];
      if (!stored.includes(id)) figures.lost_requests += 1;
    }
    for (const ids of byKey.values())
      figures.duplicate_requests += ids.length - 1;
    check(
      figures.lost_requests === 0,
      `every request answered 2xx before the kill is stored (${figures.lost_requests} lost)`,
    );
    check(
      figures.duplicate_requests === 0 && byKey.size === keys.length,
      `each of the ${keys.length} submissions is stored once after the retries (${figures.duplicate_requests} twice)`,
    );

    // Grants that expired while every replica was down are expired after the restart.
    await Promise.all(replicas.map(kill));
    const past = new Date(Date.now() - 60_000).toISOString();
    const grant = await db('iam_grants')
      .where({ request_id: created.body.id })
      .first();
    await db('iam_grants').where({ id: grant.id }).update({ expires_at: past });
    const stale = await db('iam_access_requests')
      .where({ status: 'pending' })
      .whereIn('idempotency_key', keys.slice(0, 5))
      .select('id');
    await db('iam_access_requests')
      .whereIn(
        'id',
        stale.map(r => r.id),
      )
      .update({ expires_at: past });
    log(
      `both replicas killed; ${1} grant and ${
        stale.length
      } pending requests now past their end`,
    );
    start(a);
    await ready(a);
    start(b);
    await ready(b);
    await until(
      'the expiry task to expire what ended while down',
      async () => {
        const g = await db('iam_grants').where({ id: grant.id }).first();
        const pending = await db('iam_access_requests')
          .whereIn(
            'id',
            stale.map(r => r.id),
          )
          .where({ status: 'pending' });
        return g.status === 'expired' && pending.length === 0;
      },
      60_000,
    ).then(
      () =>
        check(
          true,
          'the grant and the requests that ended while every replica was down are expired after the restart',
        ),
      error => check(false, error.message),
    );

    // No entity lost, and the scheduled read ran on one replica at a time.
    const entitiesAfter = await until(
      'the catalog to answer after the restarts',
      () => roleRefs(b),
    );
    figures.lost_entities = [...entitiesBefore].filter(
      ref => !entitiesAfter.has(ref),
    ).length;
    check(
      figures.lost_entities === 0,
      `no catalog entity lost across the kills and restarts (${figures.lost_entities} lost)`,
    );
    await sleep(5_000); // a few more scheduled reads with both replicas up
    checkSchedule();
  } catch (error) {
    failures.push(error.message);
    log(`FAIL ${error.stack}`);
  } finally {
    await Promise.all(replicas.map(kill));
    await db.destroy();
    const result = await fuzz;
    summariseFuzz(result);
    await dropDatabases();
    if (failures.length) {
      exitCode = 1;
      log(
        `${failures.length} failed:\n  - ${failures.join(
          '\n  - ',
        )}\nbackend logs: ${work}`,
      );
    } else {
      fs.rmSync(work, { recursive: true, force: true });
    }
    log(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(
      Object.entries(figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    );
    process.exit(exitCode);
  }
}

/** Runs of the provider's refresh from both replicas' logs: none may overlap another. */
function checkSchedule() {
  const runs = [];
  for (const replica of replicas) {
    // eslint-disable-next-line no-control-regex
    const text = fs
      .readFileSync(replica.logFile, 'utf8')
      .replace(/\u001b\[[0-9;]*m/g, '');
    // e.g. 2026-12-03T07:40:01.123Z catalog info AwsIamEntityProvider:sample: refresh of snapshots … took 812 ms: …
    const re =
      /^(\S+Z)\s.*AwsIamEntityProvider:sample: refresh of .* took (\d+) ms/gm;
    for (const m of text.matchAll(re)) {
      const end = Date.parse(m[1]);
      runs.push({ port: replica.port, start: end - Number(m[2]), end });
    }
  }
  runs.sort((x, y) => x.start - y.start);
  let overlaps = 0;
  for (let i = 1; i < runs.length; i++) {
    if (runs[i].start < runs[i - 1].end) overlaps += 1;
  }
  const ports = new Set(runs.map(r => r.port));
  check(
    runs.length >= 3 && overlaps === 0,
    `${runs.length} scheduled account reads on ${ports.size} replica(s), ${overlaps} overlapping (scheduler scope global)`,
  );
}

function summariseFuzz({ code, output, lines }) {
  for (const line of lines) {
    figures.fuzz_cases += line.suite === 'module' ? line.cases : 0;
    figures.crashes += line.crashes ?? 0;
    figures['5xx'] += line.fiveXX ?? 0;
  }
  const broker = lines.filter(l => l.suite.startsWith('broker'));
  log(
    `fuzz: ${lines
      .map(l => `${l.suite} ${l.cases} cases, ${l.crashes} crashes`)
      .join('; ')}`,
  );
  check(code === 0, `fuzz tests pass (jest exit ${code})`);
  check(
    figures.fuzz_cases >= 10_000 && broker.length >= 1,
    `fuzz figures reported (${figures.fuzz_cases} module cases, ${broker.length} broker runs)`,
  );
  if (code !== 0) console.log(output.split('\n').slice(-60).join('\n'));
}

function databaseUrl(name) {
  const url = new URL(PG);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

async function dropDatabases() {
  const admin = knexFactory({
    client: 'pg',
    connection: databaseUrl('postgres'),
    pool: { min: 0, max: 1 },
  });
  try {
    const { rows } = await admin.raw(
      'SELECT datname FROM pg_database WHERE datname LIKE ?',
      [`${PREFIX}%`],
    );
    for (const { datname } of rows) {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    }
  } catch (error) {
    log(`could not drop the run's databases: ${error.message}`);
  } finally {
    await admin.destroy();
  }
}

main();
