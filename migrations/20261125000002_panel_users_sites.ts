import type { Knex } from 'knex';

/** panel: admins and their sessions, and the sites the panel hosts. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists panel');
  await knex.schema.withSchema('panel').createTable('users', (t) => {
    t.string('id').primary();
    t.string('username').notNullable().unique();
    t.string('password_hash').notNullable();
    t.string('role').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('password_changed_at', { useTz: true });
  });
  await knex.raw(
    `alter table panel.users add constraint users_role_check check (role in ('admin','viewer'))`,
  );

  await knex.schema.withSchema('panel').createTable('sessions', (t) => {
    t.string('id').primary();
    t.string('user_id').notNullable().references('id').inTable('panel.users').onDelete('CASCADE');
    t.string('token_hash').notNullable().unique();
    t.string('ip');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.index(['user_id']);
  });

  await knex.schema.withSchema('panel').createTable('sites', (t) => {
    t.string('id').primary();
    t.string('domain').notNullable();
    t.string('root_path').notNullable();
    t.string('runtime').notNullable();
    t.string('status').notNullable();
    t.string('host_id').notNullable();
    t.text('error');
    t.string('job_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // A failed site keeps its row for the operator to read, but frees the domain and root for a retry.
  await knex.raw(`create unique index sites_domain_live on panel.sites (domain) where status <> 'failed'`);
  await knex.raw(`create unique index sites_root_live on panel.sites (root_path) where status <> 'failed'`);
  await knex.raw(`alter table panel.sites add constraint sites_status_check
    check (status in ('provisioning','active','failed','deleting'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema panel cascade');
}
