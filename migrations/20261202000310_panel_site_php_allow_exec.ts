import type { Knex } from 'knex';

/** PHP sites: whether the site's PHP may start processes (exec, shell_exec, proc_open...); off by default. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('panel').alterTable('sites', (t) => {
    t.boolean('php_allow_exec').notNullable().defaultTo(false);
  });
  await knex.raw(`alter table panel.sites add constraint sites_php_allow_exec_check
    check (runtime = 'php' or not php_allow_exec)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table panel.sites drop constraint sites_php_allow_exec_check');
  await knex.schema.withSchema('panel').alterTable('sites', (t) => t.dropColumn('php_allow_exec'));
}
