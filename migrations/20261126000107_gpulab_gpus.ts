import type { Knex } from 'knex';

/**
 * gpu-lab's GPU inventory: one row per device a container can be given, a whole GPU (`GPU-…`)
 * or a MIG instance (`MIG-…`), on the host whose worker runs it. `kind` is what packages ask for
 * (`A100-80GB`, `1g.10gb`). Whether a device is in use is not stored here: a
 * `container_devices` row holding it says so.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').createTable('gpus', (t) => {
    t.string('id').primary();
    t.string('host_id', 64).notNullable();
    t.integer('gpu_index').notNullable();
    t.string('uuid', 80).notNullable().unique();
    t.string('kind', 64).notNullable();
    t.string('model', 100).notNullable();
    t.integer('memory_mb').notNullable();
    t.boolean('mig_enabled').notNullable().defaultTo(false);
    t.string('status', 16).notNullable().defaultTo('available');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['host_id', 'kind']);
  });
  await knex.raw(
    `alter table gpu_lab.gpus add constraint gpus_status_check check (status in ('available', 'maintenance', 'offline'))`,
  );
  // A host has one whole GPU per index; its MIG instances share their parent's index.
  await knex.raw(
    `create unique index gpus_host_index_unique on gpu_lab.gpus (host_id, gpu_index) where uuid like 'GPU-%'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('gpus');
}
