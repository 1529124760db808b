import pg from 'pg';
import knex, { Knex } from 'knex';
import path from 'node:path';
import { DB_TIMEOUT_DEFAULTS, type Config } from './config';
import { Unavailable } from './errors';

/**
 * Deadlines on every Postgres connection (DATABASE_*_TIMEOUT_MS): opening it, a statement on the
 * server (0: none), the client's wait for an answer (0: none; what ends a wait on a hung server),
 * and a request's wait for a free connection of a pool.
 */
export interface DbTimeouts {
  connectMs: number;
  statementMs: number;
  queryMs: number;
  acquireMs: number;
}

export const dbTimeouts = (
  config: Pick<
    Config,
    | 'DATABASE_CONNECT_TIMEOUT_MS'
    | 'DATABASE_STATEMENT_TIMEOUT_MS'
    | 'DATABASE_QUERY_TIMEOUT_MS'
    | 'DATABASE_ACQUIRE_TIMEOUT_MS'
  >,
): DbTimeouts => ({
  connectMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  statementMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  queryMs: config.DATABASE_QUERY_TIMEOUT_MS,
  acquireMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
});

/** node-postgres settings for one connection under these deadlines. */
export function pgConnection(
  databaseUrl: string,
  t: DbTimeouts = DB_TIMEOUT_DEFAULTS,
): Knex.PgConnectionConfig & pg.ClientConfig {
  return {
    connectionString: databaseUrl,
    connectionTimeoutMillis: t.connectMs,
    ...(t.statementMs > 0 && { statement_timeout: t.statementMs }),
    ...(t.queryMs > 0 && { query_timeout: t.queryMs }),
    // A server that vanished without a FIN (host down, cable out) is noticed on idle connections too.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/**
 * A connection whose query got no answer in time is closed: the answer may still come (or never),
 * and the next request given the connection would queue behind it. node-postgres only drops the
 * query; closing the socket frees the connection (the pool then replaces it) and ends the
 * transaction it was in, on the server too.
 */
function closeOnReadTimeout(client: pg.Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const last = args.length - 1;
    const kill = (err: unknown) => {
      if ((err as Error | undefined)?.message === 'Query read timeout')
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    };
    if (typeof args[last] === 'function') {
      const callback = args[last] as (err: unknown, res?: unknown) => void;
      args[last] = (err: unknown, res?: unknown) => {
        kill(err);
        callback(err, res);
      };
      return query(...args);
    }
    const result = query(...args);
    if (result && typeof (result as Promise<unknown>).catch === 'function')
      (result as Promise<unknown>).catch(kill);
    return result;
  };
}

/** Marks an error as Postgres's, so a socket error code on it is known to be the database's. */
const FROM_POSTGRES = Symbol('dermaga.postgres');
function markPostgres(err: unknown): void {
  if (err && typeof err === 'object' && !(FROM_POSTGRES in err))
    Object.defineProperty(err, FROM_POSTGRES, { value: true });
}

/** Opens the Postgres pool. Models are never bound globally: every query is given its db or trx. */
export function createDb(
  databaseUrl: string,
  pool = { min: 0, max: 10 },
  timeouts: DbTimeouts = DB_TIMEOUT_DEFAULTS,
): Knex {
  const db = knex({
    client: 'pg',
    connection: pgConnection(databaseUrl, timeouts),
    acquireConnectionTimeout: timeouts.acquireMs,
    pool: {
      ...pool,
      afterCreate: (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
        closeOnReadTimeout(conn);
        done(null, conn);
      },
    },
  });
  // Every failure of a query (transactions' included) and of getting a connection carries the mark.
  // Requests waiting for a free connection wait up to acquireMs (a burst on a busy server), unless
  // a connection is seen lost meanwhile: then the database is away and they all answer 503 at once
  // rather than each waiting out its turn to find it so.
  const waiting = new Set<(err: unknown) => void>();
  const seen = (err: unknown) => {
    markPostgres(err);
    if (connectionLost(err)) for (const fail of [...waiting]) fail(err);
  };
  db.on('query-error', seen);
  const client = db.client as {
    acquireConnection: () => Promise<unknown>;
    releaseConnection: (c: unknown) => Promise<unknown>;
  };
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = () =>
    new Promise((resolve, reject) => {
      const fail = (err: unknown) => {
        waiting.delete(fail);
        reject(err);
      };
      waiting.add(fail);
      acquire().then(
        (conn) => {
          if (waiting.delete(fail)) resolve(conn);
          else void client.releaseConnection(conn).catch(() => undefined); // its request has answered already
        },
        (err: unknown) => {
          const mine = waiting.delete(fail);
          seen(err);
          if (mine) reject(err);
        },
      );
    });
  return db;
}

export const migrationConfig: Knex.MigratorConfig = {
  directory: path.resolve(__dirname, '../migrations'),
  loadExtensions: ['.ts', '.js'],
  tableName: 'knex_migrations',
  schemaName: 'platform',
};

/**
 * Applies pending migrations; safe to run from several processes at once (knex takes a lock).
 * They run on connections of their own without the statement and answer deadlines: building an
 * index or rewriting a table legitimately takes longer than any request may.
 */
export async function migrate(db: Knex): Promise<string[]> {
  const { connection } = db.client.config as Knex.Config;
  const settings: Knex.PgConnectionConfig =
    typeof connection === 'string'
      ? { connectionString: connection }
      : { ...(connection as Knex.PgConnectionConfig) };
  delete settings.statement_timeout;
  delete settings.query_timeout;
  const unbounded = knex({ client: 'pg', connection: settings, pool: { min: 0, max: 2 } });
  try {
    await unbounded.raw('create schema if not exists platform');
    const [, applied] = await unbounded.migrate.latest(migrationConfig);
    return applied as string[];
  } finally {
    await unbounded.destroy();
  }
}

/** Creates the database named in the URL when the server lacks it (first start of the embedded one). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = knex({
    client: 'pg',
    connection: { connectionString: url.toString(), connectionTimeoutMillis: DB_TIMEOUT_DEFAULTS.connectMs },
    pool: { min: 0, max: 1 },
  });
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
 * The connect deadline also bounds the wait for a free connection; a connection whose query
 * failed is dropped by the pool.
 */
export function createHotPool(databaseUrl: string, max = 10, timeouts: DbTimeouts = DB_TIMEOUT_DEFAULTS) {
  const pool = new pg.Pool({
    ...pgConnection(databaseUrl, timeouts),
    max,
    idleTimeoutMillis: 5_000,
    allowExitOnIdle: true,
  });
  pool.on('connect', closeOnReadTimeout);
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) =>
    query(...args).catch((err: unknown) => {
      markPostgres(err);
      throw err;
    });
  // An idle connection the server dropped (restart, outage) errors here; the pool has removed it.
  pool.on('error', () => undefined);
  return pool;
}
export type HotPool = pg.Pool;

/** Error codes of a connection that could not be made or was lost (on an error known to be Postgres's). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
/** What node-postgres and pg-pool say when a connection failed, broke or timed out (`timeout expired`: the connect deadline). */
const CONNECTION_MESSAGES =
  /Query read timeout|^timeout expired$|Connection terminated|timeout exceeded when trying to connect|Client was closed and is not queryable|Client has encountered a connection error/;
/**
 * SQLSTATEs of a server that is away or stuck rather than of the statement: class 08 (connection
 * exception), 57P01–57P03 (shutting down, crashed, not yet accepting), 53300 (too many
 * connections), 57014 (cancelled: the statement deadline passed on a server too slow to answer).
 */
const SERVER_GONE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300|57014)$/;

/** Whether the error says a connection could not be made or was lost (not merely slow). */
function connectionLost(err: unknown): boolean {
  const e = err as Record<string, unknown> | undefined;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  if (code && /^(08[0-9A-Z]{3}|57P0[1-3])$/.test(code)) return true;
  return (
    FROM_POSTGRES in e &&
    ((code !== undefined && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGES.test(message))
  );
}

/**
 * The 503 for an error that says the database is away (down, unreachable, hung, or out of
 * connections), else undefined. Follows knex's and objection's wrappers (`nativeError`, `cause`).
 */
export function databaseUnavailable(err: unknown): Unavailable | undefined {
  const marked = Boolean(err && typeof err === 'object' && FROM_POSTGRES in err);
  for (
    let e = err as Record<string, unknown> | undefined, depth = 0;
    e && typeof e === 'object' && depth < 5;
    depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : '';
    const ours = marked || FROM_POSTGRES in e;
    if (
      e.name === 'KnexTimeoutError' ||
      (code && SERVER_GONE.test(code) && typeof e.severity === 'string') || // node-postgres's DatabaseError
      (ours && ((code && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGES.test(message)))
    ) {
      const timedOut = code === '57014' || e.name === 'KnexTimeoutError' || /timeout/i.test(message);
      return new Unavailable(
        `the database (PostgreSQL) is unavailable${timedOut ? ' (no answer in time)' : ''}; try again shortly`,
      );
    }
    e = (e.nativeError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return undefined;
}
