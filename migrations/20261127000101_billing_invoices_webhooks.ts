import type { Knex } from 'knex';

/**
 * billing: invoices (numbered INV-<year>-<6 digits> without gaps: the year's counter row is
 * advanced in the transaction that inserts the invoice, so a rollback takes both back), and every
 * payment-provider webhook event, stored once by its provider id.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('billing').createTable('invoice_sequences', (t) => {
    t.integer('year').primary();
    t.integer('last').notNullable();
  });
  await knex.schema.withSchema('billing').createTable('invoices', (t) => {
    t.string('id').primary();
    t.string('number', 20).notNullable().unique();
    t.string('customer_id').notNullable().references('id').inTable('billing.customers');
    t.string('subscription_id').references('id').inTable('billing.subscriptions');
    t.string('kind', 16).notNullable(); // period | proration
    t.string('status', 16).notNullable();
    t.string('currency', 3).notNullable();
    t.jsonb('line_items').notNullable();
    t.integer('subtotal_cents').notNullable();
    t.integer('credits_applied_cents').notNullable().defaultTo(0);
    t.integer('total_cents').notNullable();
    t.timestamp('period_start', { useTz: true });
    t.timestamp('period_end', { useTz: true });
    t.string('payment_intent_id');
    t.string('checkout_session_id');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('failure_reason');
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['customer_id', 'created_at']);
  });
  await knex.raw(
    `alter table billing.invoices add constraint invoices_status_check check (status in ('draft', 'open', 'paid', 'failed', 'void'))`,
  );
  // One invoice per subscription period: a retried close finds the one it made.
  await knex.raw(
    `create unique index invoices_period_unique on billing.invoices (subscription_id, period_start) where kind = 'period'`,
  );

  await knex.schema.withSchema('billing').createTable('webhook_events', (t) => {
    t.bigIncrements('id');
    t.string('provider', 16).notNullable();
    t.string('event_id', 255).notNullable();
    t.string('type', 100).notNullable();
    t.jsonb('payload').notNullable();
    t.string('outcome', 200);
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['provider', 'event_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('billing').dropTable('webhook_events');
  await knex.schema.withSchema('billing').dropTable('invoices');
  await knex.schema.withSchema('billing').dropTable('invoice_sequences');
}
