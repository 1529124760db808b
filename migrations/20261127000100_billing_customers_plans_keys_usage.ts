import type { Knex } from 'knex';

/**
 * billing: customers (and admins, a role), password-reset tokens (hashed, single use), plans,
 * subscriptions (the row the subscription workflow keeps current), API keys (hash only, prefix
 * visible), usage events (one per idempotency key) and the per-period counters quotas read.
 * Money is integer cents.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists billing');
  const s = {
    createTable: (name: string, build: (t: Knex.CreateTableBuilder) => void) =>
      knex.schema.withSchema('billing').createTable(name, build),
  };
  await s.createTable('customers', (t) => {
    t.string('id').primary();
    t.string('name', 100).notNullable();
    t.string('email', 254).notNullable();
    t.string('company', 200);
    t.string('password_hash').notNullable();
    t.string('role', 16).notNullable().defaultTo('customer');
    t.string('stripe_customer_id');
    // Tokens issued before this are refused (a password reset signs out everywhere).
    t.timestamp('password_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `create unique index customers_email_unique on billing.customers (lower(email)) where deleted_at is null`,
  );
  await knex.raw(
    `alter table billing.customers add constraint customers_role_check check (role in ('customer', 'admin'))`,
  );

  await s.createTable('password_resets', (t) => {
    t.string('id').primary();
    t.string('customer_id').notNullable().references('id').inTable('billing.customers').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await s.createTable('plans', (t) => {
    t.string('id').primary();
    t.string('name', 100).notNullable().unique();
    t.text('description');
    t.integer('price_cents').notNullable();
    t.string('currency', 3).notNullable().defaultTo('usd');
    t.integer('period_days').notNullable().defaultTo(30);
    t.bigInteger('quota_tokens').notNullable();
    t.bigInteger('quota_requests').notNullable();
    // A soft-limit plan lets usage go over its quota and bills the overage; a hard one refuses it.
    t.boolean('soft_limit').notNullable().defaultTo(false);
    t.integer('overage_cents_per_1k_tokens').notNullable().defaultTo(0);
    t.integer('overage_cents_per_request').notNullable().defaultTo(0);
    t.jsonb('features').notNullable().defaultTo('{}');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await s.createTable('subscriptions', (t) => {
    t.string('id').primary();
    t.string('customer_id').notNullable().references('id').inTable('billing.customers');
    t.string('plan_id').notNullable().references('id').inTable('billing.plans');
    t.string('status', 20).notNullable();
    t.timestamp('current_period_start', { useTz: true }).notNullable();
    t.timestamp('current_period_end', { useTz: true }).notNullable();
    // What the current period bills: the plan's terms as they were when it started.
    t.jsonb('period_terms').notNullable();
    t.boolean('cancel_at_period_end').notNullable().defaultTo(false);
    t.timestamp('canceled_at', { useTz: true });
    t.text('cancel_reason');
    t.timestamp('trial_end', { useTz: true });
    t.string('payment_method_id');
    t.string('stripe_subscription_id');
    t.string('checkout_session_id').unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One live subscription per customer.
  await knex.raw(
    `create unique index subscriptions_live_unique on billing.subscriptions (customer_id) where status in ('incomplete', 'trialing', 'active', 'past_due')`,
  );

  await s.createTable('api_keys', (t) => {
    t.string('id').primary();
    t.string('customer_id').notNullable().references('id').inTable('billing.customers').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('prefix', 24).notNullable();
    t.string('key_hash', 64).notNullable().unique();
    t.specificType('scopes', 'text[]').notNullable();
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('rotated_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['customer_id']);
  });

  await s.createTable('usage_events', (t) => {
    t.bigIncrements('id');
    t.string('customer_id').notNullable();
    t.string('api_key_id');
    t.string('event_id', 128);
    t.string('event_type', 32).notNullable();
    t.bigInteger('quantity').notNullable();
    t.string('endpoint', 512);
    t.jsonb('metadata');
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['customer_id', 'event_id']);
    t.index(['customer_id', 'occurred_at']);
  });

  await s.createTable('usage_counters', (t) => {
    t.string('customer_id').notNullable();
    t.timestamp('period_start', { useTz: true }).notNullable();
    t.bigInteger('tokens').notNullable().defaultTo(0);
    t.bigInteger('requests').notNullable().defaultTo(0);
    t.primary(['customer_id', 'period_start']);
  });

  await s.createTable('credits', (t) => {
    t.bigIncrements('id');
    t.string('customer_id').notNullable().references('id').inTable('billing.customers');
    // Positive: granted; negative: applied to an invoice. The sum is the balance, never below 0.
    t.integer('amount_cents').notNullable();
    t.text('reason').notNullable();
    t.string('invoice_id');
    t.string('actor');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists billing cascade');
}
