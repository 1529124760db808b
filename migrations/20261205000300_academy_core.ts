import type { Knex } from 'knex';

/**
 * academy: learners and admins (integer ids, as academy.md's examples), their sessions (an access
 * token is kept only as its SHA-256, so logout and a password reset end it at once), single-use
 * password-reset tokens (hashed, expiring), programs (price in whole rupiah) and their modules.
 * Enrollments, invoices, certificates and forums come in their own migrations.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists academy');
  const s = {
    createTable: (name: string, build: (t: Knex.CreateTableBuilder) => void) =>
      knex.schema.withSchema('academy').createTable(name, build),
  };

  await s.createTable('users', (t) => {
    t.specificType('id', 'integer generated always as identity').primary();
    t.string('full_name', 100).notNullable();
    t.string('email', 254).notNullable();
    t.string('password_hash').notNullable();
    t.string('role', 16).notNullable().defaultTo('User');
    t.string('member_level', 16).notNullable().defaultTo('Basic');
    // An admin may switch an account off: it cannot log in and its sessions end.
    t.boolean('is_active').notNullable().defaultTo(true);
    // A deleted account keeps its row (its enrollments, invoices and certificates stay readable to
    // admins); its email is free again.
    t.timestamp('deleted_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `create unique index users_email_unique on academy.users (lower(email)) where deleted_at is null`,
  );
  await knex.raw(
    `alter table academy.users add constraint users_role_check check (role in ('Admin', 'User'))`,
  );
  await knex.raw(
    `alter table academy.users add constraint users_member_level_check check (member_level in ('Basic', 'Premium'))`,
  );
  // The admin list pages by id; its search reads names and emails.
  await knex.raw(`create index users_listed on academy.users (id) where deleted_at is null`);

  await s.createTable('sessions', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').notNullable().references('id').inTable('academy.users').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
  });

  await s.createTable('password_resets', (t) => {
    t.bigIncrements('id');
    t.integer('user_id').notNullable().references('id').inTable('academy.users').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
  });

  await s.createTable('programs', (t) => {
    t.specificType('id', 'integer generated always as identity').primary();
    t.string('title', 200).notNullable();
    t.text('description').notNullable().defaultTo('');
    // Whole rupiah (IDR has no minor unit in use).
    t.bigInteger('price_idr').notNullable();
    // active: open to enrollment; inactive: listed, not enrollable; archived: deleted while it had
    // enrollments (kept for them, hidden from the public list, not enrollable).
    t.string('status', 16).notNullable().defaultTo('active');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `alter table academy.programs add constraint programs_status_check check (status in ('active', 'inactive', 'archived'))`,
  );
  await knex.raw(`alter table academy.programs add constraint programs_price_check check (price_idr >= 0)`);
  // Lists page by id within a status: deep pages walk this index only (see programs.ts).
  await knex.raw(`create index programs_status_id on academy.programs (status, id)`);

  await s.createTable('modules', (t) => {
    t.specificType('id', 'integer generated always as identity').primary();
    t.integer('program_id').notNullable().references('id').inTable('academy.programs').onDelete('CASCADE');
    t.string('title', 200).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('content').notNullable().defaultTo('');
    // Order within the program (1, 2, ...); ties broken by id.
    t.integer('position').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['program_id', 'position', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['modules', 'programs', 'password_resets', 'sessions', 'users'])
    await knex.schema.withSchema('academy').dropTable(table);
}
