import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { hashPassword, passwordWeakness } from '../../../core/crypto';
import { Conflict, Invalid, NotFound } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { writeAudit } from '../../http/audit';
import type { Caller } from './auth';
import { Session, User, type Role } from './models';

const userView = (u: User) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  created_at: u.created_at.toISOString(),
  password_changed_at: u.password_changed_at?.toISOString() ?? null,
});

/**
 * The panel's own accounts, kept by admins: who may sign in, as admin or viewer. Passwords follow
 * the change-password rules; a reset signs the user out everywhere. Each change writes its audit
 * row in its own transaction (refusals are written by the route, see auditRefusals).
 */
export function createUserService({ db }: { db: Knex }) {
  const audit = (
    trx: Knex.Transaction,
    caller: Caller,
    ip: string,
    action: string,
    user: User,
    detail: Record<string, unknown>,
  ) =>
    writeAudit(trx, 'panel', {
      actor: caller.user.username,
      action,
      target: `user:${user.id}`,
      ip,
      outcome: 'success',
      detail,
    });

  return {
    /** Every panel user, oldest first; never a password hash. */
    async list(q: { limit: number; offset: number }) {
      const [rows, total] = await Promise.all([
        User.query(db).orderBy('created_at').orderBy('id').limit(q.limit).offset(q.offset),
        User.query(db).resultSize(),
      ]);
      return { users: rows.map(userView), total };
    },

    async create(caller: Caller, input: { username: string; password: string; role: Role }, ip: string) {
      const weakness = passwordWeakness(input.password, input.username);
      if (weakness) throw new Invalid(`password: ${weakness}`, 'password');
      const password_hash = await hashPassword(input.password);
      const user = await db
        .transaction(async (trx) => {
          const row = await User.query(trx).insertAndFetch({
            id: newId('usr'),
            username: input.username,
            role: input.role,
            password_hash,
          });
          await audit(trx, caller, ip, 'user.create', row, { username: row.username, role: row.role });
          return row;
        })
        .catch((err) => {
          // The unique key decides between two requests for one name, not a read before the insert.
          throw err instanceof UniqueViolationError
            ? new Conflict('username: a user with this name already exists', 'username')
            : err;
        });
      return { user: userView(user) };
    },

    /** Deletes a user (their sessions go with them); never the caller, never the last admin. */
    async remove(caller: Caller, id: string, ip: string): Promise<void> {
      if (id === caller.user.id) throw new Conflict('you cannot delete yourself; another admin can');
      await db.transaction(async (trx) => {
        // Every admin row locked, always in one order: two admins deleting each other at once are
        // serialised, and the second sees that only one admin is left.
        const admins = await User.query(trx).where({ role: 'admin' }).orderBy('id').forUpdate();
        const user = await User.query(trx).findById(id).forUpdate();
        if (!user) throw new NotFound(`user ${id}`);
        if (user.role === 'admin' && !admins.some((a) => a.id !== user.id))
          throw new Conflict('the last admin cannot be deleted');
        await User.query(trx).deleteById(id); // sessions: on delete cascade
        await audit(trx, caller, ip, 'user.delete', user, { username: user.username, role: user.role });
      });
    },

    /** Sets a new password chosen by an admin and revokes every session of that user. */
    async resetPassword(caller: Caller, id: string, input: { password: string }, ip: string) {
      const user = await User.query(db).findById(id);
      if (!user) throw new NotFound(`user ${id}`);
      const weakness = passwordWeakness(input.password, user.username);
      if (weakness) throw new Invalid(`password: ${weakness}`, 'password');
      const password_hash = await hashPassword(input.password);
      const revoked = await db.transaction(async (trx) => {
        if (!(await User.query(trx).patch({ password_hash, password_changed_at: new Date() }).where({ id })))
          throw new NotFound(`user ${id}`);
        const n = await Session.query(trx)
          .patch({ revoked_at: new Date() })
          .where({ user_id: id })
          .whereNull('revoked_at');
        await audit(trx, caller, ip, 'user.reset_password', user, {
          username: user.username,
          revoked_sessions: n,
        });
        return n;
      });
      return { message: 'password reset', revoked_sessions: revoked };
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
