import pg from 'pg';
import knex, { Knex } from 'knex';
import path from 'node:path';

/** Opens the Postgres pool. Models are never bound globally: every query is given its db or trx. */
export function createDb(databaseUrl: string, pool = { min: 0, max: 10 }): Knex {
  return knex({ client: 'pg', connection: databaseUrl, pool });
}

export const migrationConfig: Knex.MigratorConfig = {
  directory: path.resolve(__dirname, '../migrations'),
  loadExtensions: ['.ts', '.js'],
  tableName: 'knex_migrations',
  schemaName: 'platform',
};

/** Applies pending migrations; safe to run from several processes at once (knex takes a lock). */
export async function migrate(db: Knex): Promise<string[]> {
  await db.raw('create schema if not exists platform');
  const [, applied] = await db.migrate.latest(migrationConfig);
  return applied as string[];
}

/** Creates the database named in the URL when the server lacks it (first start of the embedded one). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  try {
    const { rows } = await admin.raw('select 1 from pg_database where datname = ?', [name]);
    if (rows.length === 0) await admin.raw('create database ??', [name]);
  } finally {
    await admin.destroy();
  }
}

/**
 * A plain node-postgres pool for request paths that run one prepared-shape statement per call
 * (billing's usage metering, its API-key check): no query builder or pool wrapper between the
 * request and the socket. Idle connections close on their own and never hold the process open.
 */
export function createHotPool(databaseUrl: string, max = 10) {
  return new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 5_000, allowExitOnIdle: true });
}
export type HotPool = pg.Pool;
