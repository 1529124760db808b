import type { Knex } from 'knex';

/**
 * gpu-lab packages (`paket`) and their payments by bank transfer. A quote (`generate-harga`) is a
 * payment in status `quoted` whose amount is the package price with its last three digits
 * randomised; no two open payments (quoted or pending) share an amount, so an incoming transfer
 * names its payment. Amounts are whole rupiah.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').createTable('packages', (t) => {
    t.string('id').primary();
    t.string('name', 100).notNullable();
    t.string('gpu_kind', 64).notNullable();
    t.integer('gpu_count').notNullable();
    t.decimal('cpus', 6, 2).notNullable();
    t.integer('memory_gb').notNullable();
    t.integer('disk_gb').notNullable();
    t.integer('duration_days').notNullable();
    t.bigInteger('price_idr').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema('gpu_lab').createTable('payments', (t) => {
    t.string('id').primary();
    t.string('user_id').notNullable().references('id').inTable('gpu_lab.users').onDelete('CASCADE');
    t.string('package_id').notNullable().references('id').inTable('gpu_lab.packages');
    t.bigInteger('amount_idr').notNullable();
    t.string('status', 16).notNullable();
    t.timestamp('quote_expires_at', { useTz: true }).notNullable();
    t.string('bank_name', 100);
    t.string('sender_name', 100);
    t.date('transfer_date');
    t.string('proof_url', 2048);
    t.text('reject_reason');
    t.string('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'created_at']);
  });
  await knex.raw(
    `alter table gpu_lab.payments add constraint payments_status_check check (status in ('quoted', 'pending', 'approved', 'rejected', 'expired'))`,
  );
  await knex.raw(
    `create unique index payments_open_amount_unique on gpu_lab.payments (amount_idr) where status in ('quoted', 'pending')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('payments');
  await knex.schema.withSchema('gpu_lab').dropTable('packages');
}
