import type { Knex } from 'knex';

/**
 * paas deployments' hosts and what a deployment published:
 * - paas.hosts: each host's capacity in Nomad's units (cpu MHz, memory MB), configured
 *   (PAAS_HOST_CAPACITY) or as its engine last reported; deployments in progress or completed
 *   hold their resources on their host_id, and a new one is placed where they leave room.
 * - paas.deployments.ports: container port → the host port the engine published it on.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('paas').createTable('hosts', (t) => {
    t.text('id').primary();
    t.integer('cpu_mhz').notNullable();
    t.integer('memory_mb').notNullable();
    /** `config` (PAAS_HOST_CAPACITY) or `engine` (docker info). */
    t.text('source').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema('paas').alterTable('deployments', (t) => {
    t.jsonb('ports');
    t.text('job_id');
    t.index(['host_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('paas').alterTable('deployments', (t) => {
    t.dropIndex(['host_id', 'status']);
    t.dropColumn('job_id');
    t.dropColumn('ports');
  });
  await knex.schema.withSchema('paas').dropTable('hosts');
}
