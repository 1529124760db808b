import type { Knex } from 'knex';

/** gpu-lab: a container's command when its image's own is not the one to run; reset recreates it with the same. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').alterTable('containers', (t) => t.jsonb('cmd'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').alterTable('containers', (t) => t.dropColumn('cmd'));
}
