import { TestDatabases } from '@backstage/backend-test-utils';
import { rejectionMessage } from '../__testUtils__/rejectionMessage';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const migrationsDir = resolvePackagePath(
  '@backstage-iam/plugin-iam-roles-backend',
  'migrations',
);
const TABLES = [
  'iam_access_requests',
  'iam_approvals',
  'iam_grants',
  'iam_audit_log',
];

describe.each(databases.eachSupportedId())('migrations on %s', databaseId => {
  it('go up and down and up again', async () => {
    const knex = await databases.init(databaseId);
    const exists = async () =>
      Promise.all(TABLES.map(t => knex.schema.hasTable(t)));

    await knex.migrate.latest({ directory: migrationsDir });
    expect(await exists()).toEqual(TABLES.map(() => true));
    await knex('iam_audit_log').insert({
      id: 'a1',
      at: '2026-01-01T00:00:00.000Z',
      actor: 'user:default/alice',
      action: 'request-created',
    });

    await knex.migrate.rollback({ directory: migrationsDir }, true);
    expect(await exists()).toEqual(TABLES.map(() => false));

    // Down leaves nothing behind (the append-only trigger and its function included): up works again.
    await knex.migrate.latest({ directory: migrationsDir });
    expect(await exists()).toEqual(TABLES.map(() => true));
    expect(Number((await knex('iam_audit_log').count({ n: '*' }))[0].n)).toBe(
      0,
    );
    await knex('iam_audit_log').insert({
      id: 'a2',
      at: '2026-01-01T00:00:00.000Z',
      actor: 'user:default/alice',
      action: 'request-created',
    });
    expect(await rejectionMessage(knex('iam_audit_log').delete())).toMatch(
      /append-only/,
    );
  });
});
