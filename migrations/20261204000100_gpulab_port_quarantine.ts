import type { Knex } from 'knex';

/**
 * gpu-lab host ports a container failed to bind (another process on the host holds them): not
 * handed out again until `until`. A row is written in the same transaction that frees the failed
 * create's `container_ports`, so a concurrent create sees the port either held or quarantined,
 * never free in between. Expired rows are ignored, and deleted by the next create on the host.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').createTable('port_quarantine', (t) => {
    t.string('host_id', 64).notNullable();
    t.integer('port').notNullable();
    t.timestamp('until', { useTz: true }).notNullable();
    /** Why: the bind error Docker reported, shortened. */
    t.text('reason').notNullable();
    t.primary(['host_id', 'port']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('port_quarantine');
}
