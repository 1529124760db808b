import type { Knex } from 'knex';

/**
 * gpu-lab: researchers' containers and what each holds on its host. A port or a GPU/MIG device is
 * held by a row in `container_ports` / `container_devices`, whose primary key is (host, port) or
 * (host, device): two concurrent creates can never hold the same one, whatever they read first.
 * Releasing is deleting the row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists gpu_lab');
  await knex.schema.withSchema('gpu_lab').createTable('containers', (t) => {
    t.string('id').primary();
    t.string('name', 128).notNullable().unique();
    t.string('owner_id').notNullable();
    t.string('host_id').notNullable();
    t.string('image').notNullable();
    t.decimal('cpus', 6, 2).notNullable();
    t.integer('memory_mb').notNullable();
    t.string('workspace').notNullable();
    t.integer('ssh_port').notNullable();
    t.integer('jupyter_port').notNullable();
    /** Sealed with DERMAGA_SECRET_KEY: the Jupyter link needs it again; the SSH password is never kept. */
    t.text('jupyter_token_sealed').notNullable();
    t.string('status', 16).notNullable();
    t.text('error');
    t.string('job_id');
    t.string('docker_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['owner_id']);
    t.index(['host_id', 'status']);
  });
  await knex.raw(`alter table gpu_lab.containers add constraint containers_status_check
    check (status in ('creating', 'running', 'stopped', 'failed', 'removing'))`);

  await knex.schema.withSchema('gpu_lab').createTable('container_ports', (t) => {
    t.string('host_id').notNullable();
    t.integer('port').notNullable();
    t.string('container_id').notNullable().references('id').inTable('gpu_lab.containers').onDelete('CASCADE');
    t.primary(['host_id', 'port']);
  });

  await knex.schema.withSchema('gpu_lab').createTable('container_devices', (t) => {
    t.string('host_id').notNullable();
    /** A GPU (`GPU-…`) or MIG instance (`MIG-…`) UUID, as the nvidia runtime names it. */
    t.string('device_uuid').notNullable();
    t.string('container_id').notNullable().references('id').inTable('gpu_lab.containers').onDelete('CASCADE');
    t.primary(['host_id', 'device_uuid']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('container_devices');
  await knex.schema.withSchema('gpu_lab').dropTable('container_ports');
  await knex.schema.withSchema('gpu_lab').dropTable('containers');
}
