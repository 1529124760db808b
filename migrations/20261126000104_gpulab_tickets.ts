import type { Knex } from 'knex';

/** gpu-lab tickets (`tiket`): a researcher's report about one of their containers, and its state. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').createTable('tickets', (t) => {
    t.string('id').primary();
    t.string('user_id').notNullable().references('id').inTable('gpu_lab.users').onDelete('CASCADE');
    /** The container's name when reported; the container may be gone since. */
    t.string('container_name', 128).notNullable();
    t.string('subject', 200).notNullable();
    t.text('description').notNullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.text('admin_note');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'created_at']);
    t.index(['status']);
  });
  await knex.raw(
    `alter table gpu_lab.tickets add constraint tickets_status_check check (status in ('open', 'in_progress', 'resolved', 'closed'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('tickets');
}
