import type { Knex } from 'knex';

/**
 * The search attributes a recorded start sets on its workflow ({ product, owner, resource },
 * core/search-attributes.ts), so a start the reconciler makes carries them too. Null on records
 * made before: those start without them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('platform').alterTable('workflow_starts', (t) => {
    t.jsonb('search_attributes');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('platform').alterTable('workflow_starts', (t) => {
    t.dropColumn('search_attributes');
  });
}
