import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { hashPassword, sha256 } from '../../../core/crypto';
import { Invalid, TooManyRequests } from '../../../core/errors';
import type { Mailer } from '../../../core/mail';
import { writeAudit } from '../../http/audit';
import { productUrl } from '../../http/mount';
import { createRateLimits, type Limit } from '../../http/rate-limit';
import { checkStrength, liveUsers } from './accounts';
import type { Sessions } from './sessions';

/**
 * Forgot and reset password: a mailed single-use token (stored as its SHA-256, expiring after
 * ACADEMY_RESET_TTL_MINUTES). The answer to "forgot" is the same whether the email is known.
 * A reset spends every outstanding reset token of the account and ends every session.
 */
export function createPasswordReset(deps: { db: Knex; config: Config; mail: Mailer; sessions: Sessions }) {
  const { db, config } = deps;
  const limits = createRateLimits(db);
  const mailsPerEmail: Limit = {
    bucket: 'academy.reset-mail',
    limit: config.ACADEMY_RESET_MAILS_PER_HOUR,
    windowSeconds: 3600,
  };

  return {
    /**
     * At most ACADEMY_RESET_MAILS_PER_HOUR asks per address, counted before the account is looked
     * up, so a mailbox cannot be flooded and the 429 says nothing about whether the account exists.
     */
    async forgotPassword(email: string, ip: string) {
      const reserved = await limits.reserve([{ limit: mailsPerEmail, key: email.toLowerCase() }]);
      if (!reserved.ok)
        // The refusal names the field at fault (TooManyRequests takes none of its own).
        throw Object.assign(
          new TooManyRequests(
            `email: too many reset links asked for this address; try again in ${reserved.retryAfter} s`,
            reserved.retryAfter,
          ),
          { field: 'email' },
        );
      const row = await liveUsers(db)
        .whereRaw('lower(email) = ?', [email.toLowerCase()])
        .where({ is_active: true })
        .first();
      if (row) {
        const token = randomBytes(32).toString('hex');
        await db('academy.password_resets').insert({
          user_id: row.id,
          token_hash: sha256(token),
          expires_at: new Date(Date.now() + config.ACADEMY_RESET_TTL_MINUTES * 60_000),
        });
        const link = `${config.ACADEMY_RESET_URL}${config.ACADEMY_RESET_URL.includes('?') ? '&' : '?'}token=${token}`;
        await deps.mail({
          to: row.email,
          subject: 'Reset your Academy password',
          text: `Someone asked to reset the password of your Academy account.\n\nTo choose a new one, open:\n${link}\n\nor send this token to POST ${productUrl(config, 'academy')}/api/v1/auth/reset-password:\n${token}\n\nIt works once, within ${config.ACADEMY_RESET_TTL_MINUTES} minutes. If it was not you, ignore this mail.\n`,
        });
      }
      await writeAudit(db, 'academy', {
        actor: email,
        action: 'auth.forgot_password',
        ip,
        outcome: row ? 'success' : 'failure',
      });
    },

    async resetPassword(
      input: { token: string; newPassword: string; confirmNewPassword: string },
      ip: string,
    ) {
      if (input.newPassword !== input.confirmNewPassword)
        throw new Invalid('confirmNewPassword: does not match newPassword', 'confirmNewPassword');
      const spent = () => new Invalid('token: is invalid, used or expired; ask for a new one', 'token');
      return db.transaction(async (trx) => {
        const reset = await trx('academy.password_resets')
          .where({ token_hash: sha256(input.token) })
          .first();
        if (!reset || reset.used_at || new Date(reset.expires_at) < new Date()) throw spent();
        // One reset at a time per account; read the token again under that lock, as a reset that
        // ran meanwhile spent it.
        const row = await liveUsers(trx).where({ id: reset.user_id }).forUpdate().first();
        const unspent = await trx('academy.password_resets')
          .where({ id: reset.id })
          .whereNull('used_at')
          .first();
        if (!row || !unspent) throw spent();
        checkStrength(input.newPassword, row.email, 'newPassword');
        await trx('academy.password_resets')
          .where({ user_id: row.id })
          .whereNull('used_at')
          .update({ used_at: trx.fn.now() });
        await trx('academy.users')
          .where({ id: row.id })
          .update({ password_hash: await hashPassword(input.newPassword), updated_at: trx.fn.now() });
        await deps.sessions.revokeAll(trx, row.id);
        await writeAudit(trx, 'academy', {
          actor: row.email,
          action: 'auth.reset_password',
          target: `user:${row.id}`,
          ip,
          outcome: 'success',
        });
        return { email: row.email };
      });
    },
  };
}
export type PasswordReset = ReturnType<typeof createPasswordReset>;
