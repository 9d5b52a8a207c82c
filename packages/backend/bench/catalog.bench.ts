/*
 * yarn bench:catalog — the demo backend (packages/backend) on PostgreSQL ingests BENCH_ACCOUNTS ×
 * BENCH_ROLES IAM roles (default 100 × 1,000) through the real catalog: our provider reading
 * snapshot files (`aws iam get-account-authorization-details` form) written to a temporary folder,
 * our processor, the catalog's processing and stitching, until every entity is stitched and the
 * broker's trust index answers with every role. The yardstick, measured in the same run on a fresh
 * database, is the same number of plain Resource entities from a file location, with the demo
 * backend started without our catalog module (AWS_IAM_CATALOG_MODULE=off).
 *
 * Both runs are timed from the start of the backend process to the end state; startup is in both.
 * After our run, the provider's task is triggered again with nothing changed: the bench counts the
 * entities of the provider it wrote (refresh_state rows re-discovered, final_entities rows
 * re-stitched) and fails if there is any.
 *
 * Env: BENCH_ACCOUNTS, BENCH_ROLES, BENCH_PORT (7301), BENCH_POSTGRES_URL
 * (postgresql://iamtest:iamtest-pw@localhost:5432), BENCH_ONLY=ours|yardstick, BENCH_CPU_PROF=DIR
 * (a --cpu-prof of the backend), BENCH_KEEP=1 (keep the databases and the temporary folder),
 * BENCH_TIMEOUT_S (3600). Last line: `roles=… ratio=… yardstick_s=… ours_s=… rss_mb=…`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountId, writeBenchData, BenchData } from './snapshots';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100);
const ROLES = Number(process.env.BENCH_ROLES ?? 1000);
const PORT = Number(process.env.BENCH_PORT ?? 7301);
const PG_URL =
  process.env.BENCH_POSTGRES_URL ??
  'postgresql://iamtest:iamtest-pw@localhost:5432';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 3600) * 1000;
const ONLY = process.env.BENCH_ONLY;
const TARGET_RATIO = 1.5;
const PROVIDER_ID = 'sample'; // the demo's provider, pointed at the bench's snapshots
const BACKEND_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(BACKEND_DIR, '../..');
const BASE_URL = `http://localhost:${PORT}`;

/** The part of `pg` the bench uses (pg ships no types, and @types/pg is not a dependency). */
interface Client {
  connect(): Promise<void>;
  end(): Promise<void>;
  query<R = any>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
const { Client: PgClient } = require('pg') as {
  Client: new (options: { connectionString: string }) => Client;
};

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);

function log(message: string) {
  process.stderr.write(
    `[bench:catalog ${new Date().toISOString()}] ${message}\n`,
  );
}

async function pg<T>(database: string, fn: (c: Client) => Promise<T>) {
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropDatabases(prefix: string) {
  await pg('postgres', async c => {
    const { rows } = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await c.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    }
  });
}

async function databaseExists(name: string): Promise<boolean> {
  return pg('postgres', async c => {
    const { rowCount } = await c.query(
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [name],
    );
    return (rowCount ?? 0) > 0;
  });
}

/** The bench's overrides of the demo configuration (app-config.yaml). */
function benchConfig(
  data: BenchData,
  prefix: string,
  kind: 'ours' | 'yardstick',
) {
  const url = new URL(PG_URL);
  const locations = [{ type: 'file', target: data.base }];
  if (kind === 'yardstick') {
    // One location per account file: a single location of 100,000 entities fails in the catalog
    // itself (one query with more bind parameters than PostgreSQL allows).
    for (const file of fs.readdirSync(data.yardstick).sort()) {
      locations.push({ type: 'file', target: path.join(data.yardstick, file) });
    }
  }
  return {
    backend: {
      baseUrl: BASE_URL,
      listen: { port: PORT },
      database: {
        client: 'pg',
        prefix,
        connection: {
          host: url.hostname,
          port: Number(url.port || 5432),
          user: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
        },
      },
    },
    catalog: {
      locations,
      providers: {
        awsIam: {
          [PROVIDER_ID]: {
            snapshots: { paths: [data.snapshots] },
            accountNames: Object.fromEntries(
              Array.from({ length: ACCOUNTS }, (_, a) => [
                accountId(a),
                `bench-${a}`,
              ]),
            ),
            // Runs once at start; the bench triggers the second run itself.
            schedule: {
              frequency: { hours: 24 },
              timeout: { minutes: 30 },
              initialDelay: { seconds: 1 },
            },
          },
        },
      },
    },
  };
}

interface Backend {
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

function startBackend(dir: string, kind: 'ours' | 'yardstick', config: object) {
  const configFile = path.join(dir, `app-config.${kind}.json`);
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFile = path.join(dir, `backend.${kind}.log`);
  const out = fs.openSync(logFile, 'w');
  const profile = process.env.BENCH_CPU_PROF
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`,
        `--cpu-prof-name=${kind}.cpuprofile`,
      ]
    : [];
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
        paths: [REPO_ROOT],
      }),
      ...profile,
      'src/index.ts',
      '--config',
      path.join(REPO_ROOT, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: BACKEND_DIR,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
        AWS_IAM_CATALOG_MODULE: kind === 'ours' ? 'on' : 'off',
      },
    },
  );
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );
  // Interrupting the bench stops its backend too.
  const stop = () => child.kill('SIGTERM');
  process.once('SIGINT', stop).once('SIGTERM', stop);
  child.once('exit', () => {
    process.off('SIGINT', stop).off('SIGTERM', stop);
  });
  return { child, logFile, exited } as Backend;
}

async function stopBackend(backend: Backend) {
  if (backend.child.exitCode !== null) return;
  backend.child.kill('SIGTERM');
  const code = await Promise.race([
    backend.exited,
    sleep(60_000).then(() => 'timeout'),
  ]);
  if (code === 'timeout') {
    backend.child.kill('SIGKILL');
    await backend.exited;
  }
}

/** Peak and current resident memory (MB) and CPU seconds (user + system) of a process. */
function processStats(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    hwmMb: kb('VmHWM') / 1024,
    rssMb: kb('VmRSS') / 1024,
    cpuS: ticks / 100,
  };
}

/** What the catalog's database holds now. */
interface CatalogState {
  resources: number;
  entities: number;
  unprocessed: number;
  unstitched: number;
  queued: number;
  relations: number;
}

async function catalogState(database: string): Promise<CatalogState> {
  return pg(database, async c => {
    const { rows } = await c.query(`
      SELECT
        (SELECT count(*) FROM final_entities
          WHERE final_entity IS NOT NULL AND entity_ref LIKE 'resource:%') AS resources,
        (SELECT count(*) FROM refresh_state) AS entities,
        (SELECT count(*) FROM refresh_state
          WHERE result_hash IS NULL OR result_hash = '') AS unprocessed,
        (SELECT count(*) FROM refresh_state r
          LEFT JOIN final_entities f ON f.entity_id = r.entity_id
          WHERE f.final_entity IS NULL) AS unstitched,
        (SELECT count(*) FROM stitch_queue) AS queued,
        (SELECT count(*) FROM relations) AS relations`);
    const row = rows[0];
    return Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, Number(v)]),
    ) as unknown as CatalogState;
  });
}

async function guestToken(): Promise<string> {
  const res = await fetch(
    `${BASE_URL}/api/auth/guest/refresh?env=development`,
    { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
  );
  if (!res.ok) throw new Error(`guest sign-in: HTTP ${res.status}`);
  const body = (await res.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}

/** Roles in the broker's trust index, from `/lookup` (undefined while the backend is not ready). */
async function trustIndexRoles(token: string): Promise<number | undefined> {
  const q = encodeURIComponent(`arn:aws:iam::${accountId(0)}:role/ci-deployer`);
  const res = await fetch(`${BASE_URL}/api/iam-roles/lookup?q=${q}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) return undefined;
  const body = (await res.json()) as { index?: { roles: number } };
  return body.index?.roles;
}

interface RunResult {
  seconds: number;
  hwmMb: number;
  cpuS: number;
  state: CatalogState;
  load: number[];
}

/** Polls until `done` says so, sampling the load average; fails when the backend dies. */
async function waitFor(
  backend: Backend,
  started: number,
  what: string,
  done: () => Promise<boolean>,
  load: number[],
) {
  let lastLog = 0;
  for (;;) {
    if (backend.child.exitCode !== null) {
      throw new Error(
        `the backend exited (code ${backend.child.exitCode}) while waiting for ${what}; see ${backend.logFile}`,
      );
    }
    if (Date.now() - started > TIMEOUT_MS) {
      throw new Error(`timed out waiting for ${what}; see ${backend.logFile}`);
    }
    load.push(os.loadavg()[0]);
    try {
      if (await done()) return;
    } catch (error) {
      // The database or the HTTP port is not there yet.
      if (Date.now() - lastLog > 30_000) {
        log(`waiting for ${what}: ${error}`);
        lastLog = Date.now();
      }
    }
    await sleep(1000);
  }
}

async function run(
  dir: string,
  data: BenchData,
  kind: 'ours' | 'yardstick',
): Promise<RunResult & { backend: Backend; database: string }> {
  const prefix = `scale_bench_${kind}_`;
  const database = `${prefix}catalog`;
  await dropDatabases(prefix);
  const expected =
    kind === 'ours' ? ACCOUNTS * ROLES + ACCOUNTS : ACCOUNTS * ROLES;
  log(`${kind}: starting the backend (${expected} Resource entities expected)`);
  const started = Date.now();
  const backend = startBackend(dir, kind, benchConfig(data, prefix, kind));
  const load: number[] = [];
  let state: CatalogState | undefined;
  let lastLog = 0;
  await waitFor(
    backend,
    started,
    'every entity stitched',
    async () => {
      if (!(await databaseExists(database))) return false;
      state = await catalogState(database);
      if (Date.now() - lastLog > 15_000) {
        log(
          `${kind}: ${seconds(Date.now() - started)} s ${JSON.stringify(
            state,
          )}`,
        );
        lastLog = Date.now();
      }
      return (
        state.resources >= expected &&
        state.unprocessed === 0 &&
        state.unstitched === 0 &&
        state.queued === 0
      );
    },
    load,
  );
  let ms = Date.now() - started;
  log(`${kind}: every entity stitched after ${seconds(ms)} s`);
  if (kind === 'ours') {
    let token: string | undefined;
    await waitFor(
      backend,
      started,
      "the broker's trust index",
      async () => {
        token ??= await guestToken();
        return ((await trustIndexRoles(token)) ?? 0) >= ACCOUNTS * ROLES;
      },
      load,
    );
    ms = Date.now() - started;
    log(
      `${kind}: the trust index answers with every role after ${seconds(ms)} s`,
    );
  }
  const stats = processStats(backend.child.pid!);
  return {
    seconds: ms / 1000,
    hwmMb: stats.hwmMb,
    cpuS: stats.cpuS,
    state: state!,
    load,
    backend,
    database,
  };
}

/** Lines of the backend log that report a finished refresh of our provider. */
function refreshesLogged(logFile: string): number[] {
  const text = fs.readFileSync(logFile, 'utf8');
  return [
    ...text.matchAll(
      new RegExp(
        `AwsIamEntityProvider:${PROVIDER_ID}: refresh of .*? took (\\d+) ms`,
        'g',
      ),
    ),
  ].map(m => Number(m[1]));
}

/**
 * Triggers the provider's task again with nothing changed and counts what it wrote: refresh_state
 * rows the provider touched (last_discovery_at moves on every write of a provider) and
 * final_entities rows stitched since.
 */
async function unchangedRefresh(backend: Backend, database: string) {
  const token = await guestToken();
  const before = refreshesLogged(backend.logFile).length;
  const since = await pg(
    database,
    async c => (await c.query('SELECT now() AS t')).rows[0].t as Date,
  );
  const taskId = encodeURIComponent(
    `AwsIamEntityProvider:${PROVIDER_ID}:refresh`,
  );
  const res = await fetch(
    `${BASE_URL}/api/catalog/.backstage/scheduler/v1/tasks/${taskId}/trigger`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
  if (!res.ok) {
    throw new Error(
      `triggering ${decodeURIComponent(taskId)}: HTTP ${
        res.status
      } ${await res.text()}`,
    );
  }
  const started = Date.now();
  await waitFor(
    backend,
    started,
    'the second refresh',
    async () => refreshesLogged(backend.logFile).length > before,
    [],
  );
  const refreshMs = refreshesLogged(backend.logFile).at(-1)!;
  // A written entity is processed and stitched within seconds: give it time to show.
  await sleep(15_000);
  const counts = await pg(database, async c => {
    // Only the provider's own entities: the demo's file locations re-emit their components and
    // groups on every processing cycle, which moves their last_discovery_at without a write of ours.
    const { rows } = await c.query(
      `WITH ours AS (
         SELECT r.entity_id, r.last_discovery_at
         FROM refresh_state r
         JOIN refresh_state_references ref ON ref.target_entity_ref = r.entity_ref
         WHERE ref.source_key = $2
       )
       SELECT
         (SELECT count(*) FROM ours WHERE last_discovery_at > $1) AS rediscovered,
         (SELECT count(*) FROM final_entities f JOIN ours USING (entity_id)
           WHERE f.last_updated_at > $1) AS restitched`,
      [since, `AwsIamEntityProvider:${PROVIDER_ID}`],
    );
    return {
      rediscovered: Number(rows[0].rediscovered),
      restitched: Number(rows[0].restitched),
    };
  });
  return { refreshMs, ...counts };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-catalog-'));
  log(`writing ${ACCOUNTS} accounts × ${ROLES} roles to ${dir}`);
  const data = writeBenchData(dir, ACCOUNTS, ROLES);
  const results: Partial<Record<'ours' | 'yardstick', RunResult>> = {};
  let writes: Awaited<ReturnType<typeof unchangedRefresh>> | undefined;
  const keep = process.env.BENCH_KEEP === '1';
  try {
    for (const kind of ['yardstick', 'ours'] as const) {
      if (ONLY && ONLY !== kind) continue;
      const result = await run(dir, data, kind);
      try {
        if (kind === 'ours') {
          writes = await unchangedRefresh(result.backend, result.database);
          log(
            `ours: second refresh with nothing changed took ${writes.refreshMs} ms and wrote ${writes.rediscovered} entities; ${writes.restitched} re-stitched`,
          );
        }
      } finally {
        await stopBackend(result.backend);
        if (!keep) await dropDatabases(`scale_bench_${kind}_`);
      }
      results[kind] = result;
      const avgLoad =
        result.load.reduce((a, b) => a + b, 0) /
        Math.max(1, result.load.length);
      console.log(
        `${kind}: ${seconds(
          result.seconds * 1000,
        )} s, peak rss ${result.hwmMb.toFixed(0)} MB, cpu ${result.cpuS.toFixed(
          0,
        )} s, load avg ${avgLoad.toFixed(2)} (max ${Math.max(
          ...result.load,
        ).toFixed(2)}), ${result.state.entities} entities, ${
          result.state.relations
        } relations`,
      );
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }

  const { ours, yardstick } = results;
  const allLoad = [...(ours?.load ?? []), ...(yardstick?.load ?? [])];
  const figures = [
    `roles=${ACCOUNTS * ROLES}`,
    ours && yardstick
      ? `ratio=${(ours.seconds / yardstick.seconds).toFixed(2)}`
      : undefined,
    yardstick ? `yardstick_s=${yardstick.seconds.toFixed(1)}` : undefined,
    ours ? `ours_s=${ours.seconds.toFixed(1)}` : undefined,
    ours ? `rss_mb=${ours.hwmMb.toFixed(0)}` : undefined,
    yardstick ? `yardstick_rss_mb=${yardstick.hwmMb.toFixed(0)}` : undefined,
    ours && yardstick
      ? `cpu_ratio=${(ours.cpuS / yardstick.cpuS).toFixed(2)}`
      : undefined,
    writes
      ? `unchanged_refresh_writes=${writes.rediscovered + writes.restitched}`
      : undefined,
    `load_avg=${(
      allLoad.reduce((a, b) => a + b, 0) / Math.max(1, allLoad.length)
    ).toFixed(2)}`,
    `cores=${os.cpus().length}`,
    ours && yardstick
      ? `target_met=${ours.seconds / yardstick.seconds <= TARGET_RATIO}`
      : undefined,
  ].filter(Boolean);
  console.log(figures.join(' '));
  const failed =
    (ours && yardstick && ours.seconds / yardstick.seconds > TARGET_RATIO) ||
    (writes && writes.rediscovered + writes.restitched > 0);
  process.exitCode = failed ? 1 : 0;
}

main().catch(error => {
  log(`failed: ${error?.stack ?? error}`);
  process.exitCode = 2;
});
