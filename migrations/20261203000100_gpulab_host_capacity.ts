import type { Knex } from 'knex';

/**
 * gpu-lab hosts' CPU and memory capacity, reserved with a container's ports and devices. `hosts`
 * keeps each host's capacity (configured, or what its Docker engine reports); a create locks its
 * row, so two creates never both take the last of it. A `container_resources` row is what one
 * container holds there; releasing is deleting the row, as for ports and devices.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').createTable('hosts', (t) => {
    t.string('id', 64).primary();
    t.decimal('cpus', 8, 2).notNullable();
    t.integer('memory_mb').notNullable();
    /** `config` (GPULAB_HOST_CAPACITY) or `engine` (its Docker engine's NCPU and MemTotal). */
    t.string('source', 16).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema('gpu_lab').createTable('container_resources', (t) => {
    t.string('container_id').primary().references('id').inTable('gpu_lab.containers').onDelete('CASCADE');
    t.string('host_id', 64).notNullable().index();
    t.decimal('cpus', 6, 2).notNullable();
    t.integer('memory_mb').notNullable();
  });
  // Containers already holding ports hold their CPUs and memory too.
  await knex.raw(`insert into gpu_lab.container_resources (container_id, host_id, cpus, memory_mb)
    select c.id, c.host_id, c.cpus, c.memory_mb from gpu_lab.containers c
    where exists (select 1 from gpu_lab.container_ports p where p.container_id = c.id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('container_resources');
  await knex.schema.withSchema('gpu_lab').dropTable('hosts');
}
