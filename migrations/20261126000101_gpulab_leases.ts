import type { Knex } from 'knex';

/**
 * gpu-lab leases: until when a container is paid for, and what its lease workflow did about it
 * (warned, stopped, extended, removed), newest last, for the researcher and the admins to read.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').alterTable('containers', (t) => {
    t.timestamp('lease_ends_at', { useTz: true });
  });
  await knex.schema.withSchema('gpu_lab').createTable('container_events', (t) => {
    t.bigIncrements('id');
    t.string('container_id').notNullable().references('id').inTable('gpu_lab.containers').onDelete('CASCADE');
    t.string('kind', 32).notNullable();
    t.jsonb('detail');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['container_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('container_events');
  await knex.schema.withSchema('gpu_lab').alterTable('containers', (t) => t.dropColumn('lease_ends_at'));
}
