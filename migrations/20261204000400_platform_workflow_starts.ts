import type { Knex } from 'knex';

/**
 * The transactional outbox of workflow starts: a service records what to start in the same
 * transaction as the rows it commits (a site `provisioning`, its job `queued`), starts it after the
 * commit and marks it started; the reconciler starts whatever is still unmarked after a short grace
 * (an API killed between the commit and the start, or Temporal unreachable at that moment).
 * Arguments are stored as the workflow gets them: secrets in them are sealed (core/secret-box.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('platform').createTable('workflow_starts', (t) => {
    t.string('id').primary();
    t.string('workflow_id').notNullable();
    t.string('workflow_type').notNullable();
    t.string('task_queue').notNullable();
    t.jsonb('args').notNullable();
    /** signalWithStart: the signal and its args, sent to the workflow (started first when none runs). */
    t.string('signal');
    t.jsonb('signal_args');
    t.string('job_id').references('id').inTable('platform.jobs').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.index(['job_id']);
  });
  await knex.raw(
    'create index workflow_starts_pending on platform.workflow_starts (created_at) where started_at is null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('platform').dropTable('workflow_starts');
}
