import type { Knex } from 'knex';

/**
 * gpu-lab: researchers and admins (never panel's or billing's users), and their refresh tokens.
 * A refresh token is kept only as its SHA-256; each belongs to a family (one login) so that a
 * token used twice (stolen and replayed) can end the whole family.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists gpu_lab');
  await knex.schema.withSchema('gpu_lab').createTable('users', (t) => {
    t.string('id').primary();
    t.string('email', 254).notNullable();
    t.string('name', 100).notNullable();
    t.string('password_hash').notNullable();
    t.string('role', 16).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index users_email_unique on gpu_lab.users (lower(email))');
  await knex.raw(
    `alter table gpu_lab.users add constraint users_role_check check (role in ('researcher', 'admin'))`,
  );

  await knex.schema.withSchema('gpu_lab').createTable('refresh_tokens', (t) => {
    t.string('id').primary();
    t.string('user_id').notNullable().references('id').inTable('gpu_lab.users').onDelete('CASCADE');
    t.string('family_id').notNullable();
    t.string('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    /** Set when it was exchanged for a new pair: a second exchange is a replay. */
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
    t.index(['family_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('gpu_lab').dropTable('refresh_tokens');
  await knex.schema.withSchema('gpu_lab').dropTable('users');
}
