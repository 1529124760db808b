import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { SYSTEM_SCHEMAS, type Mariadb } from '../../../adapters/mariadb';
import { passwordWeakness } from '../../../core/crypto';
import { AppError, Conflict, Invalid, NotFound } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { writeAudit, type AuditEntry } from '../../http/audit';
import type { Caller } from './auth';
import { backupKind, runningBackup } from './backups';
import { Database, DatabaseUser } from './models';

const userView = (u: DatabaseUser) => ({
  id: u.id,
  username: u.username,
  host: u.host,
  created_at: u.created_at.toISOString(),
});

/** Accounts MariaDB or Dermaga itself log in as: never created or replaced through the panel. */
const RESERVED_USERS = ['root', 'mysql', 'mariadb.sys', 'PUBLIC'];

/**
 * Databases and their users, made synchronously: each is one or two DDL statements that answer in
 * milliseconds, so no workflow. The panel keeps a row per database and per user (never a password)
 * and writes it in the same transaction as the audit row; the MariaDB call is the transaction's
 * last step, so a refusal from MariaDB rolls both back and a conflicting row never reaches MariaDB.
 */
export function createDatabaseService(deps: {
  db: Knex;
  mariadb: Mariadb;
  mariadbAdmin: string;
  /** This panel host: a delete is refused while a backup or restore of it runs. */
  hostId: string;
}) {
  const { db, mariadb } = deps;

  /**
   * Runs `write` then `change` in one transaction. The one unsafe moment is a commit that fails after
   * MariaDB has already made the change (Postgres gone between the two): then `undo` removes what
   * was just created, best effort, so the server does not keep an object the panel has no row for.
   * (If the commit did land and only its answer was lost, the row stays and GET shows it with
   * `on_server: false`.)
   */
  async function recorded<T>(
    write: (trx: Knex.Transaction) => Promise<T>,
    change: () => Promise<void>,
    undo: () => Promise<void>,
  ): Promise<T> {
    let changed = false;
    try {
      return await db.transaction(async (trx) => {
        const result = await write(trx);
        await change();
        changed = true;
        return result;
      });
    } catch (err) {
      if (changed) await undo().catch(() => undefined);
      throw err;
    }
  }

  /** A refused write still leaves its trace: one failure row outside the rolled-back transaction. */
  async function refused(entry: Omit<AuditEntry, 'outcome'>, err: unknown): Promise<never> {
    const reason = err instanceof AppError ? err.code : 'error';
    await writeAudit(db, 'panel', {
      ...entry,
      outcome: 'failure',
      detail: { ...entry.detail, reason },
    }).catch(() => undefined);
    throw err;
  }

  /**
   * A delete, in one transaction that holds this host's backup lock: refused while a backup or
   * restore runs (it reads or recreates these databases), and no backup starts until it is done.
   * `drop` runs last, so a refusal from MariaDB rolls the rows back; it uses IF EXISTS, so a
   * delete that failed halfway finishes when asked again.
   */
  async function deleted(
    entry: Omit<AuditEntry, 'outcome' | 'target'>,
    work: (trx: Knex.Transaction) => Promise<{
      target: string;
      detail: AuditEntry['detail'];
      drop: () => Promise<void>;
    }>,
  ): Promise<void> {
    await db
      .transaction(async (trx) => {
        const busy = await runningBackup(trx, deps.hostId);
        if (busy) {
          throw new Conflict(`${backupKind(busy)} is running (job ${busy.id}); delete when it has finished`);
        }
        const { target, detail, drop } = await work(trx);
        await writeAudit(trx, 'panel', { ...entry, target, detail, outcome: 'success' });
        await drop();
      })
      .catch((err) => refused({ ...entry, target: null }, err));
  }

  return {
    /** The panel's databases with their users, newest first; `on_server` says whether MariaDB still has each. */
    async list(q: { limit: number; offset: number }) {
      const [rows, total, present] = await Promise.all([
        Database.query(db)
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(q.limit)
          .offset(q.offset),
        Database.query(db).resultSize(),
        mariadb.listDatabases().then(
          (names) => new Set(names),
          () => null, // MariaDB down: the list still answers, with on_server null
        ),
      ]);
      const users = await DatabaseUser.query(db)
        .whereIn(
          'database_id',
          rows.map((r) => r.id),
        )
        .orderBy('created_at')
        .orderBy('id');
      return {
        databases: rows.map((d) => ({
          id: d.id,
          name: d.name,
          on_server: present ? present.has(d.name) : null,
          users: users.filter((u) => u.database_id === d.id).map(userView),
          created_at: d.created_at.toISOString(),
        })),
        total,
      };
    },

    /** CREATE DATABASE (utf8mb4) and its panel row. */
    async create(caller: Caller, input: { name: string }, ip: string) {
      if (SYSTEM_SCHEMAS.includes(input.name.toLowerCase()))
        throw new Invalid('name: is reserved for MariaDB', 'name');
      const id = newId('db');
      const audit = {
        actor: caller.user.username,
        action: 'database.create',
        target: `database:${id}`,
        ip,
        detail: { name: input.name },
      };
      const database = await recorded(
        async (trx) => {
          const row = await Database.query(trx).insertAndFetch({ id, name: input.name });
          await writeAudit(trx, 'panel', { ...audit, outcome: 'success' });
          return row;
        },
        () => mariadb.createDatabase(input.name),
        () => mariadb.dropDatabase(input.name),
      ).catch((err) => {
        if (err instanceof UniqueViolationError)
          err = new Conflict('name: a database with this name already exists', 'name');
        else if (err instanceof Conflict) err = new Conflict(`name: ${err.message}`, 'name');
        return refused({ ...audit, target: null }, err);
      });
      return {
        database: {
          id: database.id,
          name: database.name,
          on_server: true,
          users: [],
          created_at: database.created_at.toISOString(),
        },
      };
    },

    /** CREATE USER with ALL PRIVILEGES on one panel database only; the password goes to MariaDB and nowhere else. */
    async createUser(
      caller: Caller,
      input: { database: string; username: string; password: string; host: string },
      ip: string,
    ) {
      if (
        RESERVED_USERS.concat(deps.mariadbAdmin).some((r) => r.toLowerCase() === input.username.toLowerCase())
      ) {
        throw new Invalid('username: is reserved', 'username');
      }
      const weakness = passwordWeakness(input.password, input.username);
      if (weakness) throw new Invalid(`password: ${weakness}`, 'password');
      const database = await Database.query(db).findOne({ name: input.database });
      if (!database) throw new NotFound(`database ${input.database}`);
      const id = newId('dbu');
      const account = { username: input.username, host: input.host };
      const audit = {
        actor: caller.user.username,
        action: 'database.user.create',
        target: `database_user:${id}`,
        ip,
        detail: { database: input.database, ...account },
      };
      const user = await recorded(
        async (trx) => {
          const row = await DatabaseUser.query(trx).insertAndFetch({
            id,
            database_id: database.id,
            ...account,
          });
          await writeAudit(trx, 'panel', { ...audit, outcome: 'success' });
          return row;
        },
        () => mariadb.createUser({ database: database.name, ...account, password: input.password }),
        () => mariadb.dropUser(account),
      ).catch((err) => {
        if (err instanceof UniqueViolationError)
          err = new Conflict('username: a user with this name and host already exists', 'username');
        else if (err instanceof Conflict) err = new Conflict(`username: ${err.message}`, 'username');
        return refused({ ...audit, target: null }, err);
      });
      return { user: { ...userView(user), database: database.name } };
    },

    /**
     * DROP DATABASE with the accounts made for it (they could reach nothing else); one already
     * gone from the server just loses its rows. Never one the panel did not create.
     */
    async remove(caller: Caller, name: string, ip: string): Promise<void> {
      const entry = { actor: caller.user.username, action: 'database.delete', ip, detail: { name } };
      await deleted(entry, async (trx) => {
        const database = await Database.query(trx).findOne({ name }).forUpdate();
        if (!database) throw new NotFound(`database ${name}`);
        const users = await DatabaseUser.query(trx)
          .where({ database_id: database.id })
          .orderBy('created_at')
          .orderBy('id');
        await Database.query(trx).deleteById(database.id); // its users' rows: on delete cascade
        return {
          target: `database:${database.id}`,
          detail: { name, users: users.map((u) => `${u.username}@${u.host}`) },
          drop: async () => {
            for (const u of users) await mariadb.dropUser(u);
            await mariadb.dropDatabase(name);
          },
        };
      });
    },

    /** DROP USER of an account the panel created (username@host). */
    async removeUser(caller: Caller, account: { username: string; host: string }, ip: string): Promise<void> {
      const actor = caller.user.username;
      const entry = { actor, action: 'database.user.delete', ip, detail: { ...account } };
      await deleted(entry, async (trx) => {
        const user = await DatabaseUser.query(trx).findOne(account).forUpdate();
        if (!user) throw new NotFound(`database user ${account.username}@${account.host}`);
        const database = await Database.query(trx).findById(user.database_id);
        await DatabaseUser.query(trx).deleteById(user.id);
        return {
          target: `database_user:${user.id}`,
          detail: { database: database?.name, ...account },
          drop: () => mariadb.dropUser(account),
        };
      });
    },
  };
}
export type DatabaseService = ReturnType<typeof createDatabaseService>;
