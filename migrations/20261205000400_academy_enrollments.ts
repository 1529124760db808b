import type { Knex } from 'knex';

/**
 * academy's enrollments and what hangs on them: the invoice each enrollment is paid by (a virtual
 * account number unique among open invoices), the providers' payment notices (stored once each),
 * module completions (progress) and certificates (the PDF kept in the row, so every API process
 * can serve it). Open enrollments (Unpaid, In Progress) are unique per learner and program, so two
 * concurrent enrollments in one program cannot both be made.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('academy').createTable('enrollments', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('academy.users').onDelete('CASCADE');
    t.integer('program_id').notNullable().references('id').inTable('academy.programs').onDelete('RESTRICT');
    t.string('status').notNullable().defaultTo('Unpaid');
    t.decimal('progress_percentage', 5, 2).notNullable().defaultTo(0);
    t.integer('certificate_id');
    t.timestamp('paid_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'id']);
    t.index(['program_id']);
  });
  await knex.raw(`alter table academy.enrollments add constraint enrollments_status_check
    check (status in ('Unpaid', 'In Progress', 'Completed', 'Expired', 'Cancelled'))`);
  await knex.raw(`create unique index enrollments_one_open on academy.enrollments (user_id, program_id)
    where status in ('Unpaid', 'In Progress')`);

  await knex.schema.withSchema('academy').createTable('invoices', (t) => {
    t.increments('id');
    t.integer('enrollment_id')
      .notNullable()
      .unique()
      .references('id')
      .inTable('academy.enrollments')
      .onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('academy.users').onDelete('CASCADE');
    t.string('virtual_account_number', 32).notNullable();
    t.bigInteger('amount_idr').notNullable();
    t.string('status').notNullable().defaultTo('Unpaid');
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('paid_at', { useTz: true });
    /** Who settled it: `xendit`, `midtrans` (with the notice's id) or `admin` (with the admin's user id). */
    t.string('paid_by');
    t.string('paid_ref');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table academy.invoices add constraint invoices_status_check
    check (status in ('Unpaid', 'Paid', 'Expired', 'Cancelled'))`);
  await knex.raw(`alter table academy.invoices add constraint invoices_amount_check check (amount_idr >= 0)`);
  await knex.raw(`create unique index invoices_open_virtual_account on academy.invoices (virtual_account_number)
    where status = 'Unpaid'`);

  await knex.schema.withSchema('academy').createTable('payment_notices', (t) => {
    t.increments('id');
    t.string('provider').notNullable();
    t.string('event_id').notNullable();
    t.string('type').notNullable();
    t.jsonb('payload').notNullable();
    t.integer('invoice_id').references('id').inTable('academy.invoices').onDelete('SET NULL');
    /** What was done with it: `paid`, or why it was refused (wrong amount, unknown or expired invoice). */
    t.text('outcome');
    /** The answer it got (a replay gets the same): 200, or the refusal's status and the field it named. */
    t.integer('answer_status');
    t.string('answer_code');
    t.string('answer_field');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['provider', 'event_id']);
    t.index(['invoice_id']);
  });

  await knex.schema.withSchema('academy').createTable('module_completions', (t) => {
    t.integer('enrollment_id')
      .notNullable()
      .references('id')
      .inTable('academy.enrollments')
      .onDelete('CASCADE');
    // A module learners have completed is not deleted from under their progress (academy-api's 409).
    t.integer('module_id').notNullable().references('id').inTable('academy.modules').onDelete('RESTRICT');
    t.timestamp('completed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['enrollment_id', 'module_id']);
  });

  await knex.schema.withSchema('academy').createTable('certificates', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('academy.users').onDelete('CASCADE');
    t.integer('program_id').references('id').inTable('academy.programs').onDelete('SET NULL');
    /** The enrollment it was issued for: one certificate per enrollment, however often the step is retried. */
    t.integer('enrollment_id').unique().references('id').inTable('academy.enrollments').onDelete('SET NULL');
    t.string('number', 40).notNullable().unique();
    t.string('verification_code', 40).notNullable().unique();
    t.string('learner_name').notNullable();
    t.string('program_title').notNullable();
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('status').notNullable().defaultTo('Valid');
    t.binary('pdf');
    t.timestamp('mailed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'id']);
  });
  await knex.raw(`alter table academy.certificates add constraint certificates_status_check
    check (status in ('Valid', 'Revoked'))`);
  await knex.raw(`alter table academy.enrollments add constraint enrollments_certificate_fk
    foreign key (certificate_id) references academy.certificates (id) on delete set null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table academy.enrollments drop constraint enrollments_certificate_fk');
  for (const table of ['certificates', 'module_completions', 'payment_notices', 'invoices', 'enrollments'])
    await knex.schema.withSchema('academy').dropTable(table);
}
