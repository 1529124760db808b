import type { Knex } from 'knex';

/**
 * panel: one TLS certificate per site. `status` is the newest order's; `cert_dir`, `serial` and the
 * dates describe the certificate nginx serves now, so a failed renewal shows its error while the
 * site keeps serving the old certificate. Key and chain live on the host (cert_dir), never here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('panel').createTable('certificates', (t) => {
    t.string('id').primary();
    t.string('site_id').notNullable().unique().references('id').inTable('panel.sites').onDelete('CASCADE');
    t.string('domain', 253).notNullable().unique();
    t.string('email', 254).notNullable();
    t.string('status', 16).notNullable();
    t.string('cert_dir');
    t.string('serial');
    t.string('subject');
    t.string('issuer');
    t.timestamp('not_before', { useTz: true });
    t.timestamp('not_after', { useTz: true });
    t.text('error');
    t.string('job_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['not_after']);
  });
  await knex.raw(`alter table panel.certificates add constraint certificates_status_check
    check (status in ('issuing', 'active', 'failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('panel').dropTable('certificates');
}
