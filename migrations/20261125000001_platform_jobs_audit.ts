import type { Knex } from 'knex';

/** platform: what every product shares — jobs behind workflows, the audit trail, rate-limit events. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists platform');
  await knex.schema.withSchema('platform').createTable('jobs', (t) => {
    t.string('id').primary();
    t.string('product').notNullable();
    t.string('type').notNullable();
    t.string('status').notNullable().defaultTo('queued');
    t.string('target_type').notNullable();
    t.string('target_id').notNullable();
    t.jsonb('steps').notNullable().defaultTo('[]');
    t.text('error');
    t.string('workflow_id').notNullable();
    t.string('actor');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.index(['product', 'created_at']);
    t.index(['target_type', 'target_id']);
  });
  await knex.raw(`alter table platform.jobs add constraint jobs_status_check
    check (status in ('queued','running','succeeded','failed'))`);

  await knex.schema.withSchema('platform').createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.string('product').notNullable();
    t.string('actor');
    t.string('action').notNullable();
    t.string('target');
    t.string('ip');
    t.string('outcome').notNullable();
    t.jsonb('detail');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['product', 'created_at']);
  });

  await knex.schema.withSchema('platform').createTable('rate_limit_events', (t) => {
    t.bigIncrements('id').primary();
    t.string('bucket').notNullable();
    t.string('key').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['bucket', 'key', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('platform').dropTable('rate_limit_events');
  await knex.schema.withSchema('platform').dropTable('audit_log');
  await knex.schema.withSchema('platform').dropTable('jobs');
}
