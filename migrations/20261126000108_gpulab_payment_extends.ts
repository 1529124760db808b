import type { Knex } from 'knex';

/**
 * gpu-lab: a payment may extend a researcher's existing container (its lease) instead of paying
 * for a new one. If the container is removed before the payment is approved, the payment is left
 * as one for a new container.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').alterTable('payments', (t) => {
    t.string('extends_container_id').references('id').inTable('gpu_lab.containers').onDelete('SET NULL');
    // Set when the approval extended the lease: the payment is spent even if the container goes later.
    t.timestamp('lease_extended_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema
    .withSchema('gpu_lab')
    .alterTable('payments', (t) => t.dropColumns('extends_container_id', 'lease_extended_at'));
}
