import type { Context } from 'koa';
import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import {
  generatePassword,
  hashPassword,
  newToken,
  passwordWeakness,
  sha256,
  verifyPassword,
} from '../../../core/crypto';
import { Forbidden, Invalid, Unauthorized } from '../../../core/errors';
import { newId } from '../../../core/ids';
import type { Logger } from '../../../core/logger';
import { writeAudit } from '../../http/audit';
import { createLoginThrottle } from '../../http/login-throttle';
import { bootstrapAdmin } from '../bootstrap-admin';
import { Session, User } from './models';

export type AuthLevel = 'public' | 'user' | 'admin';

export interface Caller {
  user: User;
  session: Session;
}

const userView = (u: User) => ({ id: u.id, username: u.username, role: u.role });

/** Sessions, login throttling and password changes for panel admins. */
export function createAuthService(deps: { db: Knex; config: Config; logger: Logger }) {
  const { db, config } = deps;
  const audit = (entry: Parameters<typeof writeAudit>[2], trx: Knex | Knex.Transaction = db) =>
    writeAudit(trx, 'panel', entry);
  const throttle = createLoginThrottle(db, {
    product: 'panel',
    maxFailures: config.PANEL_LOGIN_MAX_FAILURES,
    maxFailuresPerIp: config.PANEL_LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.PANEL_LOGIN_WINDOW_SECONDS,
  });
  // Verified against when the username is unknown, so a miss costs as much time as a wrong password.
  const decoyHash = hashPassword(generatePassword());

  /** The password check, within the login limits; a refused attempt is audited as denied. */
  const checkPassword = (
    ip: string,
    username: string,
    action: string,
    hash: string | Promise<string>,
    password: string,
  ) =>
    throttle.check(
      ip,
      username,
      async () => verifyPassword(await hash, password),
      () => audit({ actor: username, action, ip, outcome: 'denied', detail: { reason: 'rate_limited' } }),
    );

  async function startSession(user: User, ip: string) {
    const { token, hash } = newToken('npt');
    const expiresAt = new Date(Date.now() + config.PANEL_TOKEN_TTL_SECONDS * 1000);
    await Session.query(db).insert({
      id: newId('ses'),
      user_id: user.id,
      token_hash: hash,
      ip,
      expires_at: expiresAt,
    });
    return { token, expires_at: expiresAt.toISOString(), user: userView(user) };
  }

  return {
    /** Creates the `admin` user on a fresh database, printing a generated password once. */
    bootstrapAdmin: () =>
      bootstrapAdmin({
        product: 'panel',
        who: 'username "admin"',
        configuredPassword: config.PANEL_BOOTSTRAP_PASSWORD,
        logger: deps.logger,
        // Any admin, not the name: an `admin` deleted through /v1/users must not come back at the next start.
        exists: () => User.query(db).findOne({ role: 'admin' }),
        insert: async (password_hash) =>
          (
            await db('panel.users')
              .insert({ id: newId('usr'), username: 'admin', password_hash, role: 'admin' })
              .onConflict('username')
              .ignore()
              .returning('id')
          ).length > 0,
      }),

    async login(input: { username: string; password: string }, ip: string) {
      const user = await User.query(db).findOne({ username: input.username });
      const hash = user?.password_hash ?? decoyHash;
      const ok = await checkPassword(ip, input.username, 'auth.login', hash, input.password);
      if (!user || !ok) {
        await audit({
          actor: input.username,
          action: 'auth.login',
          ip,
          outcome: 'failure',
          detail: { reason: 'bad_credentials' },
        });
        throw new Unauthorized('invalid username or password');
      }
      const session = await startSession(user, ip);
      await audit({
        actor: user.username,
        action: 'auth.login',
        target: `user:${user.id}`,
        ip,
        outcome: 'success',
      });
      return session;
    },

    async logout(caller: Caller, ip: string) {
      await Session.query(db).patch({ revoked_at: new Date() }).where({ id: caller.session.id });
      await audit({
        actor: caller.user.username,
        action: 'auth.logout',
        target: `user:${caller.user.id}`,
        ip,
        outcome: 'success',
      });
    },

    me: (caller: Caller) => ({
      user: userView(caller.user),
      expires_at: caller.session.expires_at.toISOString(),
    }),

    /** Checks the current password, enforces strength, and signs every other session out. */
    async changePassword(
      caller: Caller,
      input: { current_password: string; new_password: string },
      ip: string,
    ) {
      const { user } = caller;
      const action = 'auth.change_password';
      if (!(await checkPassword(ip, user.username, action, user.password_hash, input.current_password))) {
        await audit({
          actor: user.username,
          action,
          target: `user:${user.id}`,
          ip,
          outcome: 'failure',
          detail: { reason: 'wrong_current_password' },
        });
        throw new Invalid('current_password: is incorrect', 'current_password');
      }
      const weakness = passwordWeakness(input.new_password, user.username);
      if (weakness) throw new Invalid(`new_password: ${weakness}`, 'new_password');
      if (input.new_password === input.current_password)
        throw new Invalid('new_password: must differ from the current password', 'new_password');
      const hash = await hashPassword(input.new_password);
      const revoked = await db.transaction(async (trx) => {
        await User.query(trx)
          .patch({ password_hash: hash, password_changed_at: new Date() })
          .where({ id: user.id });
        const n = await Session.query(trx)
          .patch({ revoked_at: new Date() })
          .where({ user_id: user.id })
          .whereNull('revoked_at')
          .whereNot({ id: caller.session.id });
        await audit(
          {
            actor: user.username,
            action,
            target: `user:${user.id}`,
            ip,
            outcome: 'success',
            detail: { revoked_sessions: n },
          },
          trx,
        );
        return n;
      });
      return { message: 'password changed', revoked_sessions: revoked };
    },

    /** Resolves the bearer token to its user; refuses missing, expired or revoked tokens and non-admins. */
    async authenticate(ctx: Context, level: AuthLevel): Promise<void> {
      if (level === 'public') return;
      const header = ctx.get('authorization');
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new Unauthorized('missing bearer token');
      const session = await Session.query(db)
        .findOne({ token_hash: sha256(match[1]) })
        .whereNull('revoked_at')
        .where('expires_at', '>', new Date());
      const user = session && (await User.query(db).findById(session.user_id));
      if (!session || !user) throw new Unauthorized('invalid or expired token');
      // Set before the role check, so that a refusal's audit row names who asked.
      ctx.state.caller = { user, session } satisfies Caller;
      if (level === 'admin' && user.role !== 'admin') throw new Forbidden('admin role required');
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
