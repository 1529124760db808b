import { escapeId } from 'mysql2';
import { createConnection, type Connection } from 'mysql2/promise';
import { Conflict, Unavailable } from '../core/errors';

/** Schemas MariaDB keeps for itself: never listed, never created or granted through the panel. */
export const SYSTEM_SCHEMAS = ['information_schema', 'mysql', 'performance_schema', 'sys'];

/** What the panel lets through as a database or user name: nothing that needs quoting. */
const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;
/** An account host: %, localhost, an IPv4 address (optionally ending in %), or a hostname. */
const ACCOUNT_HOST = /^(%|(\d{1,3}\.){1,3}(\d{1,3}|%)|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;

// Identifiers are validated again here, whatever the caller checked: the adapter is the last line.
function identifier(kind: string, value: string): string {
  if (!IDENTIFIER.test(value))
    throw new Error(`refusing ${kind} ${JSON.stringify(value)}: only letters, digits and _ (1–64)`);
  return value;
}
function accountHost(value: string): string {
  if (!ACCOUNT_HOST.test(value)) throw new Error(`refusing account host ${JSON.stringify(value)}`);
  return value;
}

/** Errors that mean the server could not be reached or would not let Dermaga in. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_ACCESS_DENIED_ERROR',
]);

/**
 * Turns a mysql2 error into the error vocabulary. mysql2 puts the formatted SQL on its errors
 * (`err.sql`), which for CREATE USER holds the password: nothing of the original is kept, so a
 * password can never reach a log through an error.
 */
function translate(err: unknown, conflict: string): Error {
  const e = err as { code?: string; errno?: number; fatal?: boolean; sqlMessage?: string };
  if (e.code === 'ER_DB_CREATE_EXISTS' || e.code === 'ER_CANNOT_USER') return new Conflict(conflict);
  if ((e.code && UNREACHABLE.has(e.code)) || e.fatal) {
    return new Unavailable(
      `MariaDB is unavailable (${e.code ?? 'connection failed'}); nothing was changed, try again shortly`,
    );
  }
  return new Error(`MariaDB refused the statement: ${e.code ?? 'unknown'} ${e.sqlMessage ?? ''}`.trim());
}

/**
 * The MariaDB server that holds panel databases, reached as an account that may create and grant.
 * One short connection per operation rather than a pool: these are rare admin calls, and nothing
 * stays open between requests for the API to close on shutdown.
 */
export function createMariadb(
  url: string,
  opts: { connectTimeoutMs?: number; queryTimeoutMs?: number } = {},
) {
  const timeout = opts.queryTimeoutMs ?? 10_000;
  /** Runs statements on one connection; every failure leaves here translated. */
  async function session<T>(
    conflict: string,
    work: (q: (sql: string, values: unknown[]) => Promise<unknown>) => Promise<T>,
  ): Promise<T> {
    let conn: Connection | undefined;
    try {
      // A server that is down or silent fails the request in seconds instead of holding it.
      conn = await createConnection({ uri: url, connectTimeout: opts.connectTimeoutMs ?? 3000 });
      const c = conn;
      // Known rules whatever the server's defaults: backslash escapes on (mysql2 quotes values that
      // way), and a GRANT never creates an account as a side effect.
      await c.query({
        sql: "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'",
        timeout,
      });
      return await work(async (sql, values) => (await c.query({ sql, values, timeout }))[0]);
    } catch (err) {
      throw translate(err, conflict);
    } finally {
      await conn?.end().catch(() => conn?.destroy());
    }
  }
  const exec = (sql: string, values: unknown[], conflict = 'already exists on the MariaDB server') =>
    session(conflict, (q) => q(sql, values));

  /**
   * CREATE USER, then ALL PRIVILEGES on its one database and nothing else. In a GRANT's database
   * name `_` is a wildcard (`app_db` would also match `appXdb`), so it is escaped. If the grant
   * fails the account is dropped again: a user never exists without the grant it was made for.
   */
  async function createGrantedUser(
    u: { database: string; username: string; host: string },
    identified: string,
    secret: string,
  ): Promise<void> {
    const username = identifier('username', u.username);
    const host = accountHost(u.host);
    const grantDb = escapeId(identifier('database name', u.database).replace(/_/g, '\\_'));
    await session(`user ${username}@${host} already exists on the MariaDB server`, async (q) => {
      await q(`CREATE USER ?@? ${identified}`, [username, host, secret]);
      try {
        await q(`GRANT ALL PRIVILEGES ON ${grantDb}.* TO ?@?`, [username, host]);
      } catch (err) {
        await q('DROP USER IF EXISTS ?@?', [username, host]).catch(() => undefined);
        throw err;
      }
    });
  }

  return {
    /** Every database on the server except MariaDB's own schemas. */
    async listDatabases(): Promise<string[]> {
      const rows = (await exec('SHOW DATABASES', [])) as { Database: string }[];
      return rows.map((r) => r.Database).filter((name) => !SYSTEM_SCHEMAS.includes(name));
    },

    /** CREATE DATABASE in utf8mb4; Conflict when it already exists. */
    async createDatabase(name: string): Promise<void> {
      await exec(
        'CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
        [identifier('database name', name)],
        `database ${name} already exists on the MariaDB server`,
      );
    },

    /** The undo of createDatabase; a no-op when it is not there. */
    async dropDatabase(name: string): Promise<void> {
      await exec('DROP DATABASE IF EXISTS ??', [identifier('database name', name)]);
    },

    /** A new account with ALL PRIVILEGES on its one database only (createGrantedUser). */
    async createUser(u: {
      database: string;
      username: string;
      password: string;
      host: string;
    }): Promise<void> {
      await createGrantedUser(u, 'IDENTIFIED BY ?', u.password);
    },

    /**
     * The account's password hash (mysql_native_password's `*…`), for a backup to bring the
     * account back without anyone knowing the password; null for other authentication plugins.
     */
    async passwordHash(u: { username: string; host: string }): Promise<string | null> {
      const rows = (await exec('SHOW CREATE USER ?@?', [
        identifier('username', u.username),
        accountHost(u.host),
      ])) as Record<string, string>[];
      const statement = rows[0] ? Object.values(rows[0])[0] : '';
      return /IDENTIFIED BY PASSWORD '(\*[0-9A-F]{40})'/.exec(statement)?.[1] ?? null;
    },

    /** createUser from a stored hash (a restore); the grant is the same: its one database only. */
    async createUserWithHash(u: {
      database: string;
      username: string;
      passwordHash: string;
      host: string;
    }): Promise<void> {
      if (!/^\*[0-9A-F]{40}$/.test(u.passwordHash))
        throw new Error('refusing a password hash that is not mysql_native_password');
      await createGrantedUser(u, 'IDENTIFIED BY PASSWORD ?', u.passwordHash);
    },

    /** The undo of createUser; a no-op when it is not there. */
    async dropUser(u: { username: string; host: string }): Promise<void> {
      await exec('DROP USER IF EXISTS ?@?', [identifier('username', u.username), accountHost(u.host)]);
    },
  };
}
export type Mariadb = ReturnType<typeof createMariadb>;
