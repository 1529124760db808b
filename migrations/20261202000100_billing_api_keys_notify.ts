import type { Knex } from 'knex';

/**
 * billing: every change to an API key row (revoke, rotate, scope edit, an account's deletion)
 * notifies `billing_api_keys` when it commits, so each API process drops the keys it holds in
 * memory (api/products/billing/key-cache.ts). New keys need no notice: nothing caches a miss.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function billing.notify_api_keys_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('billing_api_keys', '');
      return null;
    end $$;
  `);
  await knex.raw(
    `create trigger api_keys_changed after update or delete on billing.api_keys for each statement execute function billing.notify_api_keys_changed()`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger api_keys_changed on billing.api_keys');
  await knex.raw('drop function billing.notify_api_keys_changed()');
}
