import type { Knex } from 'knex';

/** Reverse-proxy sites: the local port nginx passes requests to. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('panel').alterTable('sites', (t) => {
    t.integer('proxy_port');
  });
  await knex.raw(`alter table panel.sites add constraint sites_proxy_port_check
    check ((runtime = 'proxy') = (proxy_port is not null) and (proxy_port is null or proxy_port between 1 and 65535))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table panel.sites drop constraint sites_proxy_port_check');
  await knex.schema.withSchema('panel').alterTable('sites', (t) => t.dropColumn('proxy_port'));
}
