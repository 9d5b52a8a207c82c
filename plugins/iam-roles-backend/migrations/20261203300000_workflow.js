// @ts-check

/**
 * The broker's workflow: extensions of a grant and break-glass grants are requests of their own
 * kind; a request records the groups that decide it; a break-glass grant waits for an owner's review.
 * At most one pending extension per grant (two holders' clicks, or a retry, make one request).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('iam_access_requests', table => {
    table
      .string('kind', 16)
      .notNullable()
      .defaultTo('access')
      .comment('access, extension (of extends_grant_id) or break-glass');
    table
      .string('extends_grant_id', 36)
      .comment('For an extension: the grant whose end it moves');
    table
      .text('approver_groups')
      .comment(
        'JSON array of the groups that decide the request, when a rule names them (else the owner)',
      );
  });
  await knex.raw(
    `CREATE UNIQUE INDEX iam_access_requests_one_extension_idx ON iam_access_requests (extends_grant_id) WHERE status = 'pending'`,
  );
  await knex.schema.alterTable('iam_grants', table => {
    table.boolean('break_glass').notNullable().defaultTo(false);
    table.string('reviewed_at', 32);
    table.string('reviewed_by');
    table.text('review_note');
    table.integer('extensions').notNullable().defaultTo(0);
    table.index(['break_glass', 'reviewed_at'], 'iam_grants_review_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('iam_grants', table => {
    table.dropIndex(['break_glass', 'reviewed_at'], 'iam_grants_review_idx');
    table.dropColumn('break_glass');
    table.dropColumn('reviewed_at');
    table.dropColumn('reviewed_by');
    table.dropColumn('review_note');
    table.dropColumn('extensions');
  });
  await knex.raw('DROP INDEX IF EXISTS iam_access_requests_one_extension_idx');
  await knex.schema.alterTable('iam_access_requests', table => {
    table.dropColumn('kind');
    table.dropColumn('extends_grant_id');
    table.dropColumn('approver_groups');
  });
};
