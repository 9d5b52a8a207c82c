import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Knex } from 'knex';
import { closeOpenAccess } from './__testUtils__/closeOpenAccess';
import request from 'supertest';
import { BROKER_ARN, fixtureEntities } from './__testUtils__/fixtures';
import {
  BrokerTestBackend,
  startBrokerBackend,
} from './__testUtils__/startBrokerBackend';

/*
 * The probes of issue #18, each as an attacker would send it: the status, a body with no SQL, stack
 * or internal URL, and nothing stored by a refused request.
 */

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
const BOB = 'user:default/bob';
const CAROL = 'user:default/carol';
const DEPLOY = 'resource:default/payments-deploy';
const UNKNOWN_ID = '6f1c3c1e-6a7e-4a47-9d2e-0d6a43c0e001';
const INTERNAL_URL = 'http://catalog.internal.example:7007/api/catalog';
const TABLES = [
  'iam_access_requests',
  'iam_approvals',
  'iam_grants',
  'iam_audit_log',
];

const logs: string[] = [];
beforeAll(() => {
  for (const level of ['error', 'warn', 'info', 'debug', 'log'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(
        args
          .map(a => (typeof a === 'string' ? a : JSON.stringify(a)))
          .join(' '),
      );
    });
  }
});
afterAll(() => {
  jest.restoreAllMocks();
});

/** A catalog that fails like a remote one for one ref: its error names its internal URL and has a stack. */
function explodingCatalog(): CatalogService {
  const inner = catalogServiceMock({ entities: fixtureEntities() });
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'getEntityByRef') {
        return async (ref: unknown, opts: unknown) => {
          if (String(ref).includes('explode')) {
            throw new Error(
              `Request failed with 500 Internal Server Error, GET ${INTERNAL_URL}/entities/by-name/resource/default/explode`,
            );
          }
          return (target as any).getEntityByRef(ref, opts);
        };
      }
      // bound to the client itself: it keeps its entities in private fields
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const SQL =
  /\b(select|insert|update|delete)\b[^]*\b(from|into|set)\b|iam_(access_requests|approvals|grants|audit_log)|sqlite_|\bSQLSTATE\b/i;
const STACK =
  /"stack"|\n\s+at |\bat [\w.<>]+ \(|\.(ts|js):\d+|node_modules|\/work\//;
const URL = /https?:\/\/|catalog\.internal/i;

/** The body of a refused request: no SQL, no stack, no internal URL, and none of the caller's ownership refs. */
function expectClean(res: request.Response) {
  const text = res.text;
  expect({ status: res.status, sql: SQL.test(text) }).toEqual({
    status: res.status,
    sql: false,
  });
  expect({ status: res.status, stack: STACK.test(text) }).toEqual({
    status: res.status,
    stack: false,
  });
  expect({ status: res.status, url: URL.test(text) }).toEqual({
    status: res.status,
    url: false,
  });
  expect(text).not.toContain('group:default/developers');
  if (res.status >= 400) {
    expect(res.body.error).toEqual({
      name: expect.any(String),
      message: expect.any(String),
    });
  }
}

describe.each(databases.eachSupportedId())(
  'security probes on %s',
  databaseId => {
    let knex: Knex;
    let backend: BrokerTestBackend;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startBrokerBackend({
        knex,
        catalog: explodingCatalog(),
        // carol may neither read requests nor trust data: the routes must say so before anything else
        permissions: (permission, user) =>
          !(
            user === CAROL &&
            ['iam-roles.request.read', 'iam-roles.trust.read'].includes(
              permission,
            )
          ),
        config: {
          iamRoles: {
            broker: {
              approverGroups: ['group:default/security'],
              rateLimit: { maxRequests: 3, windowSeconds: 3600 },
              sts: { brokerPrincipalArn: BROKER_ARN },
            },
          },
        },
      });
    });
    beforeEach(() => closeOpenAccess(knex));
    afterAll(async () => {
      await backend.stop();
    });

    const counts = async () => {
      const out: Record<string, number> = {};
      for (const t of TABLES) {
        const [{ n }] = await knex(t).count({ n: '*' });
        out[t] = Number(n);
      }
      return out;
    };

    /** Runs probes and checks each answer, and that they stored nothing. */
    async function probe(
      send: (b: BrokerTestBackend) => Promise<request.Response>,
      status: number,
      message?: RegExp,
    ) {
      const before = await counts();
      const res = await send(backend);
      expect({ status: res.status, body: res.body }).toMatchObject({ status });
      if (message) {
        expect(res.body.error.message).toMatch(message);
      }
      expectClean(res);
      expect(await counts()).toEqual(before);
      return res;
    }

    const body = (extra: Record<string, unknown> = {}) => ({
      roleRef: DEPLOY,
      justification: 'Rotate the deploy key after incident INC-42',
      durationMinutes: 60,
      ...extra,
    });

    it('authenticates every route, whatever the token (the earlier matrix)', async () => {
      const routes = [
        ['get', '/config'],
        ['get', `/roles/trust?entityRef=${DEPLOY}`],
        ['get', '/findings'],
        ['get', '/requests'],
        ['post', '/requests'],
        ['get', `/requests/${UNKNOWN_ID}`],
        ['post', `/requests/${UNKNOWN_ID}/approve`],
        ['post', `/requests/${UNKNOWN_ID}/cancel`],
        ['get', '/approvals'],
        ['get', '/grants'],
        ['post', `/grants/${UNKNOWN_ID}/credentials`],
        ['get', '/audit'],
      ] as const;
      const tokens = [
        undefined,
        'Bearer',
        'Bearer not-a-token',
        `Bearer ${'A'.repeat(5000)}`,
        mockCredentials.user.invalidHeader(),
        'Basic YWxpY2U6c2VjcmV0',
      ];
      let probed = 0;
      for (const [method, path] of routes) {
        for (const token of tokens) {
          probed++;
          await probe(async b => {
            let req = request(b.server)[method](`/api/iam-roles${path}`);
            if (token !== undefined) {
              req = req.set('Authorization', token);
            }
            return req;
          }, 401);
        }
        // A service token is a valid token, but no user: refused too.
        await probe(
          b =>
            request(b.server)
              [method](`/api/iam-roles${path}`)
              .set('Authorization', mockCredentials.service.header()),
          403,
        );
      }
      expect(probed).toBe(routes.length * tokens.length);
    });

    it('#18.1: bounds every paging parameter, and a database error is a 500 in no words', async () => {
      for (const path of ['/requests', '/grants']) {
        await probe(
          b => b.call('get', `${path}?offset=1e20`, ALICE),
          400,
          /offset must be at most 100000/,
        );
        await probe(
          b => b.call('get', `${path}?offset=-1`, ALICE),
          400,
          /offset must not be negative/,
        );
        await probe(
          b => b.call('get', `${path}?limit=1e9`, ALICE),
          400,
          /limit must be at most 500/,
        );
        await probe(
          b => b.call('get', `${path}?offset=0x10p`, ALICE),
          400,
          /offset must be a number/,
        );
      }
      await probe(
        b => b.call('get', '/approvals?limit=Infinity', ALICE),
        400,
        /limit must be a whole number/,
      );
      await probe(
        b => b.call('get', '/audit?limit=1e20', ALICE),
        400,
        /limit must be at most 10000/,
      );
      // A real database failure: the table is gone for a moment.
      await knex.schema.renameTable('iam_grants', 'iam_grants_away');
      try {
        const res = await backend.call('get', '/grants', ALICE);
        expect(res.status).toBe(500);
        expect(res.body.error.message).toMatch(
          /^An internal error occurred; the server log has the details under logId=[0-9a-f]{16}\.$/,
        );
        expectClean(res);
        const logId = /logId=([0-9a-f]+)/.exec(res.body.error.message)![1];
        expect(logs.some(l => l.includes(logId) && /iam_grants/.test(l))).toBe(
          true,
        );
      } finally {
        await knex.schema.renameTable('iam_grants_away', 'iam_grants');
      }
    });

    it('#18.2: validates entity refs by the catalog rules first, and says which part is wrong', async () => {
      const cases: Array<[string, RegExp]> = [
        ['resource:default/pay\u0000ments', /roleRef contains U\+0000/],
        ['resource:default/pay\r\nments', /roleRef contains U\+000D/],
        [
          'resource:default/-bad-',
          /has the name "-bad-", which is not an entity name/,
        ],
        [
          'resource:Bad_NS/x',
          /has the namespace "Bad_NS", which is not a namespace/,
        ],
        ['9kind:default/x', /has the kind "9kind", which is not a kind/],
        ['resource:default/a b', /contains a blank/],
        [`resource:default/${'x'.repeat(10_000)}`, /at most 255/],
      ];
      for (const [roleRef, message] of cases) {
        await probe(
          b => b.call('post', '/requests', ALICE, body({ roleRef })),
          400,
          message,
        );
        await probe(
          b =>
            b.call(
              'get',
              `/roles/trust?entityRef=${encodeURIComponent(roleRef)}`,
              ALICE,
            ),
          400,
        );
      }
      // A valid ref the catalog fails on: its URL and stack stay in the log.
      const res = await probe(
        b =>
          b.call(
            'post',
            '/requests',
            ALICE,
            body({ roleRef: 'resource:default/explode' }),
          ),
        500,
      );
      expect(res.body.error.message).toMatch(/logId=/);
    });

    it('#18.3: counts visible characters and refuses control and text-direction characters', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [
          { justification: '\u200B'.repeat(10) },
          /justification must be at least 10 characters, not counting blanks and invisible ones/,
        ],
        [
          { justification: `ab${'\u200D\u0301'.repeat(10)}` },
          /at least 10 characters/,
        ],
        [
          { justification: 'abcdefghi\u0000' },
          /justification contains U\+0000/,
        ],
        [
          { justification: 'Approve: \u202Etnemyap eht daer' },
          /justification contains U\+202E/,
        ],
        [{ justification: 'Rotate the key \u2066for INC-42\u2069' }, /U\+2066/],
        [{ justification: 'Rotate the key\rnow please' }, /U\+000D/],
        [{ ticket: 'INC-1\u0000' }, /ticket contains U\+0000/],
        [{ ticket: 'INC-\u202E1' }, /ticket contains U\+202E/],
      ];
      for (const [extra, message] of cases) {
        await probe(
          b => b.call('post', '/requests', ALICE, body(extra)),
          400,
          message,
        );
      }
      // Line breaks and other scripts are text, not tricks.
      const ok = await backend.call(
        'post',
        '/requests',
        ALICE,
        body({ justification: 'Rotate the key\r\nfor INC-42 — ключ ротации' }),
      );
      expect(ok.status).toBe(201);
      expect(ok.body.justification).toBe(
        'Rotate the key\nfor INC-42 — ключ ротации',
      );
      await probe(
        b =>
          b.call('post', `/requests/${ok.body.id}/deny`, BOB, {
            reason: 'no \u202Eway',
          }),
        400,
        /reason contains U\+202E/,
      );
      await probe(
        b =>
          b.call('post', `/requests/${ok.body.id}/deny`, BOB, {
            reason: '\u200B\u200B\u200B\u200B',
          }),
        400,
        /reason must be at least 3 characters/,
      );
      // A row stored before the rule: shown escaped to the approver.
      await knex('iam_access_requests')
        .where({ id: ok.body.id })
        .update({ justification: 'Approve: \u202Etnemyap' });
      const shown = await backend.call('get', `/requests/${ok.body.id}`, BOB);
      expect(shown.body.justification).toBe('Approve: \\u202Etnemyap');
      const inbox = await backend.call('get', '/approvals', BOB);
      expect(JSON.stringify(inbox.body)).not.toContain('\u202E');
    });

    it('#18.4: replays an idempotent retry past the rate limit, and refuses a replay that differs', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        await closeOpenAccess(knex);
        const res = await backend.call(
          'post',
          '/requests',
          MALLORY,
          body({ idempotencyKey: `key-${databaseId}-${i}`, ticket: 'INC-1' }),
        );
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      await probe(
        b =>
          b.call(
            'post',
            '/requests',
            MALLORY,
            body({ idempotencyKey: `key-${databaseId}-new` }),
          ),
        429,
        /at most 3 access requests/,
      );
      const replay = await probe(
        b =>
          b.call(
            'post',
            '/requests',
            MALLORY,
            body({ idempotencyKey: `key-${databaseId}-0`, ticket: 'INC-1' }),
          ),
        200,
      );
      expect(replay.body.id).toBe(ids[0]);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      const viaHeader = await probe(
        b =>
          b.call('post', '/requests', MALLORY, body({ ticket: 'INC-1' }), {
            'Idempotency-Key': `key-${databaseId}-1`,
          }),
        200,
      );
      expect(viaHeader.body.id).toBe(ids[1]);
      for (const different of [
        { ticket: 'INC-2' },
        { ticket: undefined },
        { durationMinutes: 90, ticket: 'INC-1' },
        { justification: 'Something else entirely, INC-9', ticket: 'INC-1' },
      ]) {
        await probe(
          b =>
            b.call(
              'post',
              '/requests',
              MALLORY,
              body({ idempotencyKey: `key-${databaseId}-2`, ...different }),
            ),
          409,
          /already used for request .* with different content/,
        );
      }
      await probe(
        b =>
          b.call(
            'post',
            '/requests',
            MALLORY,
            body({ idempotencyKey: 'key\u202Ewith-bidi' }),
          ),
        400,
        /idempotencyKey must be visible ASCII/,
      );
    });

    it('#18.7: one rule on every route — read permission first, an invisible id is a missing one', async () => {
      const own = await backend.call('post', '/requests', ALICE, body());
      expect(own.status).toBe(201);
      const granted = await backend.call(
        'post',
        `/requests/${own.body.id}/approve`,
        BOB,
      );
      const grantId = granted.body.grant.id;
      await closeOpenAccess(knex);
      const other = await backend.call('post', '/requests', ALICE, body());
      const requestRoutes = (id: string) =>
        [
          ['get', `/requests/${id}`, undefined],
          ['post', `/requests/${id}/approve`, {}],
          ['post', `/requests/${id}/deny`, { reason: 'because' }],
          ['post', `/requests/${id}/cancel`, {}],
        ] as const;
      const grantRoutes = (id: string) =>
        [
          ['post', `/grants/${id}/revoke`, { reason: 'because' }],
          ['post', `/grants/${id}/credentials`, {}],
          [
            'post',
            `/grants/${id}/extend`,
            { durationMinutes: 30, justification: 'Longer than planned' },
          ],
          ['post', `/grants/${id}/release`, {}],
          ['post', `/grants/${id}/review`, { note: 'checked' }],
        ] as const;
      // Mallory may not see Alice's request or grant: the same 404 as for an id that does not exist.
      for (const [existing, missing] of [
        [requestRoutes(other.body.id), requestRoutes(UNKNOWN_ID)],
        [grantRoutes(grantId), grantRoutes(UNKNOWN_ID)],
      ]) {
        for (let i = 0; i < existing.length; i++) {
          const [method, path, payload] = existing[i];
          const a = await probe(
            b => b.call(method, path, MALLORY, payload),
            404,
          );
          const m = await probe(
            b => b.call(method, missing[i][1], MALLORY, payload),
            404,
          );
          expect(a.body.error.message.replace(/[0-9a-f-]{36}/g, 'ID')).toBe(
            m.body.error.message.replace(/[0-9a-f-]{36}/g, 'ID'),
          );
        }
      }
      // Without the read permission, every route refuses before it looks at the id.
      for (const [method, path, payload] of [
        ...requestRoutes(other.body.id),
        ...requestRoutes(UNKNOWN_ID),
        ...grantRoutes(grantId),
        ['get', '/requests', undefined],
        ['get', '/grants', undefined],
        ['get', '/approvals', undefined],
      ] as const) {
        await probe(
          b => b.call(method, path, CAROL, payload),
          403,
          /does not allow iam-roles.request.read/,
        );
      }
      // #18.10: trust data has its own permission.
      for (const path of [
        `/roles/trust?entityRef=${DEPLOY}`,
        '/assumable?entityRef=component:default/payments-api',
        '/lookup?q=111111111111',
        '/findings',
      ]) {
        await probe(
          b => b.call('get', path, CAROL),
          403,
          /does not allow iam-roles.trust.read/,
        );
        expect((await backend.call('get', path, ALICE)).status).toBe(200);
      }
      // Who may see but not act is told who can.
      await probe(
        b => b.call('post', `/requests/${other.body.id}/cancel`, BOB),
        403,
        /Only the requester/,
      );
      await probe(
        b => b.call('post', `/grants/${grantId}/credentials`, BOB),
        403,
        /only to the user it was granted to/,
      );
    });

    it('#18.8: keeps attacker input out of log lines, escaped and cut', async () => {
      const start = logs.length;
      const long = 'z'.repeat(10_000);
      await backend.call(
        'post',
        '/requests',
        ALICE,
        body({ roleRef: `resource:default/${long}` }),
      );
      await backend.call(
        'post',
        '/requests',
        ALICE,
        body({ roleRef: 'resource:default/not-a-role' }),
      );
      await backend.call(
        'post',
        '/requests',
        ALICE,
        body({ justification: `\u202E${long}` }),
      );
      await backend.call(
        'get',
        `/roles/trust?entityRef=${encodeURIComponent(`\u202E${long}\n`)}`,
        ALICE,
      );
      await backend.call(
        'post',
        '/requests',
        ALICE,
        body({ roleRef: 'resource:default/explode' }),
      );
      const lines = logs.slice(start);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).not.toContain('z'.repeat(300));
        // eslint-disable-next-line no-control-regex
        expect(line).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u0000\r]/);
      }
      // The catalog's failure is in the log, for the operator, and nowhere in a body.
      expect(lines.some(l => l.includes(INTERNAL_URL))).toBe(true);
      // What the auditor records of a failure: escaped and cut too.
      const failures = backend.auditEvents.filter(e => e.outcome === 'fail');
      expect(failures.some(e => /not-a-role/.test(e.error ?? ''))).toBe(true);
      for (const e of failures) {
        expect(Array.from(e.error ?? '').length).toBeLessThanOrEqual(340);
        // eslint-disable-next-line no-control-regex
        expect(e.error).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u0000\r\n]/);
      }
    });

    it('#18.9: sends no stack from its routes, even in development where Backstage would', async () => {
      const before = process.env.NODE_ENV;
      // Backstage decides at start-up whether error bodies carry stacks (only in development).
      process.env.NODE_ENV = 'development';
      let dev: BrokerTestBackend;
      try {
        dev = await startBrokerBackend({
          knex: await databases.init(databaseId),
          catalog: explodingCatalog(),
          logLevel: 'none',
        });
      } finally {
        process.env.NODE_ENV = before;
      }
      try {
        for (const [method, path, user, payload, status] of [
          ['get', '/requests?offset=1e20', ALICE, undefined, 400],
          ['get', `/requests/${UNKNOWN_ID}`, ALICE, undefined, 404],
          [
            'post',
            '/requests',
            ALICE,
            body({ roleRef: 'resource:default/explode' }),
            500,
          ],
          ['post', '/requests', ALICE, '{"broken json', 400],
          [
            'post',
            '/requests',
            ALICE,
            body({ durationMinutes: 'x'.repeat(70_000) }),
            413,
          ],
        ] as const) {
          let req = request(dev.server)[method](`/api/iam-roles${path}`);
          if (user) {
            req = req.set('Authorization', mockCredentials.user.header(user));
          }
          if (typeof payload === 'string') {
            req = req.set('Content-Type', 'application/json').send(payload);
          } else if (payload) {
            req = req.send(payload);
          }
          const res = await req;
          expect(res.status).toBe(status);
          expect(res.body.error.stack).toBeUndefined();
          expectClean(res);
        }
        // What the demo (NODE_ENV=development) shows: Backstage's own barrier, in front of the broker,
        // answers an unauthenticated call with a stack; in production it does not (README).
        const anonymous = await request(dev.server).get(
          '/api/iam-roles/requests',
        );
        expect(anonymous.status).toBe(401);
        expect(anonymous.body.error.stack).toEqual(expect.any(String));
      } finally {
        await dev!.stop();
      }
    });
  },
);
