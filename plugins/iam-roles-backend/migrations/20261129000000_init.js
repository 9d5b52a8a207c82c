// @ts-check

/**
 * Requests, approvals, grants and the append-only audit log of the access broker.
 * Timestamps are ISO 8601 strings in UTC (fixed width), so they compare the same way in
 * SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('iam_access_requests', table => {
    table.comment('Requests for time-boxed access to an IAM role');
    table.string('id', 36).primary().notNullable();
    table.string('role_ref').notNullable();
    table.string('role_arn').notNullable();
    table
      .string('owner_ref')
      .notNullable()
      .comment('Owner of the role when the request was made');
    table.string('requester').notNullable();
    table.text('justification').notNullable();
    table.integer('duration_minutes').notNullable();
    table.string('ticket');
    table.string('status', 16).notNullable();
    table.integer('required_approvals').notNullable();
    table.integer('version').notNullable().defaultTo(0);
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('expires_at', 32).notNullable();
    table.string('decided_at', 32);
    table.string('decided_by');
    table.text('decision_reason');
    table.string('idempotency_key', 200);
    table.unique(['requester', 'idempotency_key'], {
      indexName: 'iam_access_requests_idempotency_idx',
    });
    table.index(['status', 'expires_at'], 'iam_access_requests_status_idx');
    table.index(
      ['requester', 'created_at'],
      'iam_access_requests_requester_idx',
    );
    table.index(['owner_ref', 'status'], 'iam_access_requests_owner_idx');
    table.index(['role_ref'], 'iam_access_requests_role_idx');
  });

  await knex.schema.createTable('iam_approvals', table => {
    table.comment('One row per distinct approver of a request');
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('iam_access_requests')
      .onDelete('CASCADE');
    table.string('approver').notNullable();
    table.text('reason');
    table.string('at', 32).notNullable();
    table.primary(['request_id', 'approver']);
  });

  await knex.schema.createTable('iam_grants', table => {
    table.comment('Access to a role from approval to expiry');
    table.string('id', 36).primary().notNullable();
    table
      .string('request_id', 36)
      .notNullable()
      .unique()
      .references('id')
      .inTable('iam_access_requests')
      .onDelete('CASCADE');
    table.string('role_ref').notNullable();
    table.string('role_arn').notNullable();
    table.string('owner_ref').notNullable();
    table.string('user_ref').notNullable();
    table.string('status', 16).notNullable();
    table
      .text('approvers')
      .notNullable()
      .comment('JSON array of approver refs');
    table.string('granted_at', 32).notNullable();
    table.string('expires_at', 32).notNullable();
    table.string('revoked_at', 32);
    table.string('revoked_by');
    table.text('revoke_reason');
    table.integer('credentials_issued').notNullable().defaultTo(0);
    table.string('last_issued_at', 32);
    table.index(['status', 'expires_at'], 'iam_grants_status_idx');
    table.index(['user_ref', 'granted_at'], 'iam_grants_user_idx');
    table.index(['role_ref'], 'iam_grants_role_idx');
  });

  await knex.schema.createTable('iam_audit_log', table => {
    table.comment('Append-only trail of every broker action');
    table.bigIncrements('seq').primary();
    table.string('id', 36).notNullable().unique();
    table.string('at', 32).notNullable();
    table.string('actor').notNullable();
    table.string('action', 64).notNullable();
    table.string('request_id', 36);
    table.string('grant_id', 36);
    table.string('role_ref');
    table.string('owner_ref');
    table.string('from_state', 16);
    table.string('to_state', 16);
    table.text('reason');
    table.index(['role_ref', 'at'], 'iam_audit_log_role_idx');
    table.index(['owner_ref', 'at'], 'iam_audit_log_owner_idx');
  });

  // The audit log is append-only at the database level too, not only in code.
  if (knex.client.config.client.includes('sqlite')) {
    await knex.raw(`CREATE TRIGGER iam_audit_log_no_update BEFORE UPDATE ON iam_audit_log
      BEGIN SELECT RAISE(ABORT, 'iam_audit_log is append-only'); END;`);
    await knex.raw(`CREATE TRIGGER iam_audit_log_no_delete BEFORE DELETE ON iam_audit_log
      BEGIN SELECT RAISE(ABORT, 'iam_audit_log is append-only'); END;`);
  } else if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE FUNCTION iam_audit_log_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'iam_audit_log is append-only'; END; $$ LANGUAGE plpgsql;`);
    await knex.raw(`CREATE TRIGGER iam_audit_log_append_only BEFORE UPDATE OR DELETE ON iam_audit_log
      FOR EACH ROW EXECUTE FUNCTION iam_audit_log_append_only();`);
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.raw(
      'DROP TRIGGER IF EXISTS iam_audit_log_append_only ON iam_audit_log',
    );
    await knex.raw('DROP FUNCTION IF EXISTS iam_audit_log_append_only()');
  }
  await knex.schema.dropTable('iam_audit_log');
  await knex.schema.dropTable('iam_grants');
  await knex.schema.dropTable('iam_approvals');
  await knex.schema.dropTable('iam_access_requests');
};
