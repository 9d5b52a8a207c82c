import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import {
  brokerStatement,
  fixtureEntities,
  roleEntity,
} from './__testUtils__/fixtures';
import { startBrokerBackend } from './__testUtils__/startBrokerBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ALICE = 'user:default/alice';
const MALLORY = 'user:default/mallory';
// One role per request: a user cannot have two open requests for one role (409).
const ROLES = 12;
const entities = [
  ...fixtureEntities(),
  ...Array.from({ length: ROLES }, (_, i) =>
    roleEntity({
      name: `rate-limit-${i}`,
      owner: 'group:default/team-payments',
      statements: [brokerStatement],
    }),
  ),
];
const body = (n: number) => ({
  roleRef: `resource:default/rate-limit-${n % ROLES}`,
  justification: `Investigate the failing deploy, attempt ${n}`,
  durationMinutes: 30,
});
const config = {
  iamRoles: { broker: { rateLimit: { maxRequests: 4, windowSeconds: 600 } } },
};

/** A second connection pool to the same database, as a second replica has (SQLite: the same file). */
function secondClient(knex: Knex): Knex {
  const { client, connection } = knex.client.config;
  if (client === 'pg') {
    return knexFactory({ client, connection, pool: { min: 0, max: 5 } });
  }
  return knex;
}

describe.each(databases.eachSupportedId())(
  'the request rate limit on %p',
  databaseId => {
    it('is shared by two broker instances on one database', async () => {
      const knex = await databases.init(databaseId);
      const other = secondClient(knex);
      const a = await startBrokerBackend({
        knex,
        config,
        entities,
        logLevel: 'none',
      });
      const b = await startBrokerBackend({
        knex: other,
        config,
        entities,
        logLevel: 'none',
      });
      try {
        // Concurrent creations through both replicas: exactly the limit gets through.
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? a : b).call('post', '/requests', ALICE, body(i)),
          ),
        );
        const statuses = results.map(r => r.status).sort();
        expect(statuses.filter(s => s === 201)).toHaveLength(4);
        expect(statuses.filter(s => s === 429)).toHaveLength(6);
        const limited = results.find(r => r.status === 429)!;
        const retryAfter = Number(limited.headers['retry-after']);
        expect(retryAfter).toBeGreaterThan(590);
        expect(retryAfter).toBeLessThanOrEqual(600);
        expect(limited.body.error.message).toMatch(
          /at most 4 access requests per 10 minutes; try again in \d+ seconds \(after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/,
        );
        // Nothing was stored from a refused request.
        const rows = await knex('iam_access_requests').where({
          requester: ALICE,
        });
        expect(rows).toHaveLength(4);
        // Another user has a limit of their own.
        expect(
          (await a.call('post', '/requests', MALLORY, body(99))).status,
        ).toBe(201);
        // A replay of a created request answers with it and takes no slot.
        const first = await b.call('post', '/requests', MALLORY, {
          ...body(100),
          idempotencyKey: 'replay-1',
        });
        expect(first.status).toBe(201);
        const replay = await a.call('post', '/requests', MALLORY, {
          ...body(100),
          idempotencyKey: 'replay-1',
        });
        expect(replay.status).toBe(200);
        expect(replay.body.id).toBe(first.body.id);
      } finally {
        await a.stop();
        await b.stop();
        if (other !== knex) await other.destroy();
      }
    });

    it('holds across a restart and frees slots as the window slides', async () => {
      const knex = await databases.init(databaseId);
      const first = await startBrokerBackend({
        knex,
        config,
        entities,
        logLevel: 'none',
      });
      for (let i = 0; i < 4; i++) {
        expect(
          (await first.call('post', '/requests', ALICE, body(i))).status,
        ).toBe(201);
      }
      await first.stop();

      const restarted = await startBrokerBackend({
        knex,
        config,
        entities,
        logLevel: 'none',
      });
      try {
        const limited = await restarted.call(
          'post',
          '/requests',
          ALICE,
          body(5),
        );
        expect(limited.status).toBe(429);
        // The oldest request slides out of the window: one slot frees, and only one.
        const oldest = await knex('iam_access_requests')
          .where({ requester: ALICE })
          .orderBy('created_at', 'asc')
          .first();
        await knex('iam_access_requests')
          .where({ id: oldest.id })
          .update({ created_at: '2000-01-01T00:00:00.000Z' });
        expect(
          (await restarted.call('post', '/requests', ALICE, body(6))).status,
        ).toBe(201);
        expect(
          (await restarted.call('post', '/requests', ALICE, body(7))).status,
        ).toBe(429);
      } finally {
        await restarted.stop();
      }
    });
  },
);
