import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { generatePassword, hashPassword, passwordWeakness, verifyPassword } from '../../../core/crypto';
import { Conflict, Forbidden, Invalid, Unauthorized } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import type { AcademyUserRow } from '../../../types/academy';
import { writeAudit } from '../../http/audit';
import { createLoginThrottle } from '../../http/login-throttle';
import { bootstrapAdmin } from '../bootstrap-admin';
import type { AcademyCaller, Sessions } from './sessions';

/** Accounts not deleted (a deleted one keeps its row for its enrollments and certificates). */
export const liveUsers = (db: Knex | Knex.Transaction) =>
  db<AcademyUserRow>('academy.users').whereNull('deleted_at');

export const isEmailClash = (err: unknown) =>
  (err as { constraint?: string }).constraint === 'users_email_unique';
export const emailTaken = () => new Conflict('email: is already registered', 'email');

/** Refuses a weak password (400 naming `field`). */
export function checkStrength(password: string, email: string, field: string) {
  const weakness = passwordWeakness(password, email.split('@')[0]);
  if (weakness) throw new Invalid(`${field}: ${weakness}`, field);
}

/**
 * Register, log in (failures limited per IP and email and per IP, then 429), log out, and the
 * first admin. A login opens a session (./sessions.ts); logout ends it.
 */
export function createAccounts(deps: { db: Knex; config: Config; logger: Logger; sessions: Sessions }) {
  const { db, config, sessions } = deps;
  const audit = (entry: Parameters<typeof writeAudit>[2]) => writeAudit(db, 'academy', entry);
  const throttle = createLoginThrottle(db, {
    product: 'academy',
    maxFailures: config.ACADEMY_LOGIN_MAX_FAILURES,
    maxFailuresPerIp: config.ACADEMY_LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.ACADEMY_LOGIN_WINDOW_SECONDS,
  });
  const decoyHash = hashPassword(generatePassword());

  return {
    bootstrapAdmin: () =>
      bootstrapAdmin({
        product: 'academy',
        who: config.ACADEMY_ADMIN_EMAIL,
        configuredPassword: config.ACADEMY_BOOTSTRAP_PASSWORD,
        logger: deps.logger,
        exists: () => liveUsers(db).where({ role: 'Admin' }).first(),
        insert: async (password_hash) =>
          (
            await db('academy.users')
              .insert({ full_name: 'Admin', email: config.ACADEMY_ADMIN_EMAIL, password_hash, role: 'Admin' })
              .onConflict(db.raw('(lower(email)) where deleted_at is null'))
              .ignore()
              .returning('id')
          ).length > 0,
      }),

    async register(input: { fullName: string; email: string; password: string }, ip: string) {
      checkStrength(input.password, input.email, 'password');
      const [row] = await db('academy.users')
        .insert({
          full_name: input.fullName,
          email: input.email,
          password_hash: await hashPassword(input.password),
        })
        .returning<AcademyUserRow[]>('*')
        .catch((err) => {
          throw isEmailClash(err) ? emailTaken() : err;
        });
      await audit({
        actor: row.email,
        action: 'auth.register',
        target: `user:${row.id}`,
        ip,
        outcome: 'success',
      });
      return row;
    },

    /** Unknown emails cost the same hash check; a deactivated account is told so (403) only with its password. */
    async login(input: { email: string; password: string }, ip: string) {
      const row = await liveUsers(db).whereRaw('lower(email) = ?', [input.email.toLowerCase()]).first();
      const ok = await throttle.check(
        ip,
        input.email,
        async () => verifyPassword(row?.password_hash ?? (await decoyHash), input.password),
        () =>
          audit({
            actor: input.email,
            action: 'auth.login',
            ip,
            outcome: 'denied',
            detail: { reason: 'rate_limited' },
          }),
      );
      if (!row || !ok) {
        await audit({ actor: input.email, action: 'auth.login', ip, outcome: 'failure' });
        throw new Unauthorized('invalid email or password');
      }
      if (!row.is_active) throw new Forbidden('this account is deactivated; ask an administrator');
      const accessToken = await sessions.issue(db, row.id);
      await audit({
        actor: row.email,
        action: 'auth.login',
        target: `user:${row.id}`,
        ip,
        outcome: 'success',
      });
      return { accessToken };
    },

    /** Ends the session of the token the call came with, at once. */
    async logout(caller: AcademyCaller, ip: string) {
      await sessions.revoke(caller.sessionId);
      await audit({
        actor: caller.user.email,
        action: 'auth.logout',
        target: `user:${caller.user.id}`,
        ip,
        outcome: 'success',
      });
    },
  };
}
export type Accounts = ReturnType<typeof createAccounts>;
