import type { Knex } from 'knex';

/**
 * Test isolation for suites that share one database: closes every pending request and ends every
 * active grant, so that the broker's "no second request while one is pending or granted" rule
 * does not tie one test to what an earlier one left open. The audit log is not touched.
 */
export async function closeOpenAccess(knex: Knex): Promise<void> {
  await knex('iam_access_requests')
    .where({ status: 'pending' })
    .update({ status: 'cancelled' });
  await knex('iam_grants')
    .where({ status: 'active' })
    .update({ status: 'revoked' });
}
