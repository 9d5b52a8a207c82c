// @ts-check

/**
 * Trust history: a version of a role each time its normalised trust policy, its findings, its owner,
 * its attached policies, its permissions boundary or its Identity Center assignments change; the last
 * version of each role (one row per role, read in one query per recording pass); subscriptions of
 * users to a role's changes; the archived snapshots already seeded. Timestamps are ISO 8601 strings
 * in UTC (fixed width), as in the broker's other tables.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('iam_trust_versions', table => {
    table.comment('Versions of the trust of IAM roles, one row per change');
    table.bigIncrements('id').primary();
    table.string('role_ref').notNullable();
    table.integer('version').notNullable();
    table
      .string('kind', 16)
      .notNullable()
      .comment('baseline (first sight), created (a role new since) or changed');
    table.string('seen_at', 32).notNullable();
    table.string('account_id', 32).notNullable();
    table.string('arn', 2048).notNullable();
    table.string('owner_ref').notNullable();
    table
      .string('fingerprint', 64)
      .notNullable()
      .comment('Hash of every fact of the version');
    table
      .string('policy_hash', 64)
      .notNullable()
      .comment('Hash of the canonical normalised trust policy');
    table.text('policy').notNullable().comment('Canonical trust policy text');
    table.text('facts').notNullable().comment('JSON: the facts of the version');
    table
      .text('changes')
      .notNullable()
      .comment('JSON: what changed from the previous version');
    table
      .integer('introduced_rank')
      .notNullable()
      .comment(
        'Severity rank of the worst finding that appeared (0 = critical; 5 = none)',
      );
    // Two replicas recording the same change: the second insert is ignored.
    table.unique(['role_ref', 'version'], {
      indexName: 'iam_trust_versions_role_version_idx',
    });
    table.index(['seen_at'], 'iam_trust_versions_seen_idx');
    table.index(['owner_ref', 'seen_at'], 'iam_trust_versions_owner_idx');
  });
  await knex.schema.createTable('iam_trust_heads', table => {
    table.comment(
      'The last version of each role, compared against on every pass',
    );
    table.string('role_ref').primary().notNullable();
    table.integer('version').notNullable();
    table.string('fingerprint', 64).notNullable();
    table.string('account_id', 32).notNullable();
    table.string('seen_at', 32).notNullable();
  });
  await knex.schema.createTable('iam_trust_subscriptions', table => {
    table.comment('Users told about every change of the trust of a role');
    table.string('role_ref').notNullable();
    table.string('user_ref').notNullable();
    table.string('created_at', 32).notNullable();
    table.primary(['role_ref', 'user_ref']);
    table.index(['user_ref'], 'iam_trust_subscriptions_user_idx');
  });
  await knex.schema.createTable('iam_trust_seeds', table => {
    table.comment(
      'Archived snapshots already recorded (iamRoles.history.seed)',
    );
    table.string('id', 512).primary().notNullable();
    table.string('recorded_at', 32).notNullable();
    table.integer('versions').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('iam_trust_seeds');
  await knex.schema.dropTable('iam_trust_subscriptions');
  await knex.schema.dropTable('iam_trust_heads');
  await knex.schema.dropTable('iam_trust_versions');
};
