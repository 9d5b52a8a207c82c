import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

/** The plugin's knex migrations (shipped in the package's `files`). */
export const MIGRATIONS_DIR = resolvePackagePath(
  '@backstage-iam/plugin-iam-roles-backend',
  'migrations',
);

/**
 * Brings the plugin's database to the latest migration. Replicas that start together race for
 * knex's migration lock: the loser gets `MigrationLocked` at once, so it waits for the winner (who
 * holds the lock only while migrating) and tries again, instead of failing its start-up.
 */
export async function migrateToLatest(
  client: Knex,
  options: { waitMs?: number; retryMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  for (;;) {
    try {
      await client.migrate.latest({ directory: MIGRATIONS_DIR });
      return;
    } catch (error) {
      if (
        (error as Error)?.name !== 'MigrationLocked' ||
        Date.now() > deadline
      ) {
        throw error;
      }
      await new Promise(resolve => setTimeout(resolve, options.retryMs ?? 500));
    }
  }
}
