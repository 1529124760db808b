import type { Knex } from 'knex';

/**
 * panel: the MariaDB databases and users the panel created. The server holds the real objects;
 * these rows say which ones the panel owns. No password is kept, not even as a hash: MariaDB checks
 * it, and the panel never needs it again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('panel').createTable('databases', (t) => {
    t.string('id').primary();
    t.string('name', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.withSchema('panel').createTable('database_users', (t) => {
    t.string('id').primary();
    t.string('database_id').notNullable().references('id').inTable('panel.databases').onDelete('CASCADE');
    t.string('username', 64).notNullable();
    t.string('host', 255).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // A MariaDB account is the pair user@host.
    t.unique(['username', 'host']);
    t.index(['database_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('panel').dropTable('database_users');
  await knex.schema.withSchema('panel').dropTable('databases');
}
