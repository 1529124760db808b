import type { Knex } from 'knex';

/** gpu-lab: the container an approved payment paid for (one container per payment). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').alterTable('payments', (t) => {
    t.string('container_id').unique().references('id').inTable('gpu_lab.containers').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').alterTable('payments', (t) => t.dropColumn('container_id'));
}
