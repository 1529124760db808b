import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Knex } from 'knex';
import { sha256 } from '../../../core/crypto';
import { Forbidden, NotFound, Unauthorized } from '../../../core/errors';
import type { AcademyUserRow } from '../../../types/academy';
import { isId } from './schemas/common';

/**
 * Who may call a route: anyone; any signed-in account; an admin; or "Self" (academy.md): the
 * owner of the path's `{userId}`, or an admin.
 */
export type AcademyAuthLevel = 'public' | 'user' | 'admin' | 'self';

export interface AcademyCaller {
  user: AcademyUserRow;
  /** The session the bearer token belongs to (logout ends this one). */
  sessionId: string;
}

export const isAdmin = (caller: AcademyCaller) => caller.user.role === 'Admin';

/**
 * Access tokens are opaque random strings kept only as their SHA-256, one row per login: logout,
 * a password reset, deactivating or deleting the account end them at once (every request reads
 * the row), which a self-contained JWT could not do before it expired.
 */
export function createSessions(db: Knex, ttlSeconds: number) {
  return {
    async issue(trx: Knex | Knex.Transaction, userId: number): Promise<string> {
      const token = `acd_${randomBytes(32).toString('base64url')}`;
      // The account's ended sessions go as a new one starts, so the table holds live ones mostly
      // (logins and logouts stay in the audit log).
      await trx('academy.sessions')
        .where({ user_id: userId })
        .where((w) => w.whereNotNull('revoked_at').orWhere('expires_at', '<', trx.fn.now()))
        .delete();
      await trx('academy.sessions').insert({
        user_id: userId,
        token_hash: sha256(token),
        expires_at: new Date(Date.now() + ttlSeconds * 1000),
      });
      return token;
    },

    /** Ends one session (logout). */
    revoke: (sessionId: string) =>
      db('academy.sessions')
        .where({ id: sessionId })
        .whereNull('revoked_at')
        .update({ revoked_at: db.fn.now() }),

    /** Ends every session of an account (password reset, deactivation, deletion). */
    revokeAll: (trx: Knex | Knex.Transaction, userId: number) =>
      trx('academy.sessions')
        .where({ user_id: userId })
        .whereNull('revoked_at')
        .update({ revoked_at: trx.fn.now() }),

    /**
     * The route's guard. `self` admits the owner of `{userId}` and admins; anyone else gets 404, as
     * if that account did not exist (an id of another learner is not confirmed). A `{userId}` that
     * is not a whole number is left to the route's schema, which answers 400 naming it.
     */
    async authenticate(ctx: Context, level: AcademyAuthLevel): Promise<void> {
      if (level === 'public') return;
      const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
      if (!match) throw new Unauthorized('missing bearer token');
      const row = await db('academy.sessions as s')
        .join('academy.users as u', 'u.id', 's.user_id')
        .where('s.token_hash', sha256(match[1]))
        .whereNull('s.revoked_at')
        .where('s.expires_at', '>', db.fn.now())
        .whereNull('u.deleted_at')
        .where('u.is_active', true)
        .first('u.*', 's.id as session_id');
      if (!row) throw new Unauthorized('invalid or expired token');
      const { session_id: sessionId, ...user } = row as AcademyUserRow & { session_id: string };
      const caller: AcademyCaller = { user, sessionId };
      if (level === 'admin' && !isAdmin(caller)) throw new Forbidden('admin role required');
      if (level === 'self' && !isAdmin(caller)) {
        const wanted = String(ctx.params?.userId ?? '');
        if (isId(wanted) && Number(wanted) !== user.id) throw new NotFound('user');
      }
      ctx.state.caller = caller;
    },
  };
}
export type Sessions = ReturnType<typeof createSessions>;
