import type { Knex } from 'knex';

/**
 * A rate-limit key holds what it limits, e.g. an IP and a whole email (254 characters) for a login:
 * past varchar(255) Postgres refused the row and a login with a long email answered 500.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table platform.rate_limit_events alter column key type text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'alter table platform.rate_limit_events alter column key type varchar(255) using left(key, 255)',
  );
}
