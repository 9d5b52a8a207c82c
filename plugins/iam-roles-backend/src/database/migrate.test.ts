import { TestDatabases } from '@backstage/backend-test-utils';
import { migrateToLatest } from './migrate';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'migrateToLatest on %s',
  databaseId => {
    it('waits for a replica that holds the migration lock instead of failing', async () => {
      const knex = await databases.init(databaseId);
      await migrateToLatest(knex);
      // Another replica is migrating: knex's lock is taken.
      await knex('knex_migrations_lock').update({ is_locked: 1 });
      let done = false;
      const migrating = migrateToLatest(knex, { retryMs: 50 }).then(() => {
        done = true;
      });
      await new Promise(resolve => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await knex('knex_migrations_lock').update({ is_locked: 0 });
      await migrating;
      expect(done).toBe(true);
    });

    it('gives up when the lock is not released in time', async () => {
      const knex = await databases.init(databaseId);
      await migrateToLatest(knex);
      await knex('knex_migrations_lock').update({ is_locked: 1 });
      await expect(
        migrateToLatest(knex, { waitMs: 200, retryMs: 50 }),
      ).rejects.toMatchObject({ name: 'MigrationLocked' });
      await knex('knex_migrations_lock').update({ is_locked: 0 });
    });
  },
);
