import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Context } from 'koa';
import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { signingKey } from '../../../core/secret-box';
import {
  generatePassword,
  hashPassword,
  passwordWeakness,
  sha256,
  verifyPassword,
} from '../../../core/crypto';
import { Conflict, Forbidden, Invalid, Unauthorized } from '../../../core/errors';
import { newId } from '../../../core/ids';
import type { Logger } from '../../../core/logger';
import { writeAudit } from '../../http/audit';
import { createLoginThrottle } from '../../http/login-throttle';
import { productUrl } from '../../http/mount';
import { bootstrapAdmin } from '../bootstrap-admin';
import type { Mailer } from './mailer';
import type { CustomerRow } from '../../../types/billing';

export type BillingAuthLevel = 'public' | 'customer' | 'admin';
export type { CustomerRow };
export interface BillingCaller {
  customer: CustomerRow;
}

export const customerView = (c: CustomerRow) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  company: c.company ?? null,
  role: c.role,
  created_at: new Date(c.created_at).toISOString(),
});

const ISSUER = 'dermaga/billing';
const customers = (db: Knex) => db('billing.customers').whereNull('deleted_at');
const isEmailClash = (err: unknown) =>
  (err as { constraint?: string }).constraint === 'customers_email_unique';

/**
 * Customers' and admins' accounts: JWTs with an expiry, a login limit per IP and email, and
 * password reset by a mailed single-use token (stored as its SHA-256, expiring). A reset ends
 * every token issued before it.
 */
export function createBillingAuth(deps: { db: Knex; config: Config; logger: Logger; mail: Mailer }) {
  const { db, config } = deps;
  const secret = signingKey(
    config.BILLING_JWT_SECRET,
    config.DERMAGA_SECRET_KEY,
    'billing tokens',
    'BILLING_JWT_SECRET',
  );
  const audit = (entry: Parameters<typeof writeAudit>[2]) => writeAudit(db, 'billing', entry);
  const throttle = createLoginThrottle(db, {
    product: 'billing',
    maxFailures: config.BILLING_LOGIN_MAX_FAILURES,
    maxFailuresPerIp: config.BILLING_LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.BILLING_LOGIN_WINDOW_SECONDS,
  });
  const decoyHash = hashPassword(generatePassword());
  const byEmail = (email: string) =>
    customers(db).whereRaw('lower(email) = ?', [email.toLowerCase()]).first();

  function checkStrength(password: string, email: string, field: string) {
    const weakness = passwordWeakness(password, email.split('@')[0]);
    if (weakness) throw new Invalid(`${field}: ${weakness}`, field);
  }

  return {
    bootstrapAdmin: () =>
      bootstrapAdmin({
        product: 'billing',
        who: config.BILLING_ADMIN_EMAIL,
        configuredPassword: config.BILLING_BOOTSTRAP_PASSWORD,
        logger: deps.logger,
        exists: () => customers(db).where({ role: 'admin' }).first(),
        insert: async (password_hash) =>
          (
            await db('billing.customers')
              .insert({
                id: newId('cus'),
                name: 'Admin',
                email: config.BILLING_ADMIN_EMAIL,
                password_hash,
                role: 'admin',
              })
              .onConflict(db.raw('(lower(email)) where deleted_at is null'))
              .ignore()
              .returning('id')
          ).length > 0,
      }),

    async register(input: { name: string; email: string; password: string }, ip: string) {
      checkStrength(input.password, input.email, 'password');
      const [row] = await db('billing.customers')
        .insert({
          id: newId('cus'),
          name: input.name,
          email: input.email,
          password_hash: await hashPassword(input.password),
        })
        .returning('*')
        .catch((err) => {
          throw isEmailClash(err) ? new Conflict('email: is already registered', 'email') : err;
        });
      await audit({
        actor: row.email,
        action: 'auth.register',
        target: `customer:${row.id}`,
        ip,
        outcome: 'success',
      });
      return { id: row.id, email: row.email, created_at: new Date(row.created_at).toISOString() };
    },

    /** Failures limited per IP and email and per IP, then 429; unknown emails cost the same hash check. */
    async login(input: { email: string; password: string }, ip: string) {
      const row = await byEmail(input.email);
      const ok = await throttle.check(ip, input.email, async () =>
        verifyPassword(row?.password_hash ?? (await decoyHash), input.password),
      );
      if (!row || !ok) {
        await audit({ actor: input.email, action: 'auth.login', ip, outcome: 'failure' });
        throw new Unauthorized('invalid email or password');
      }
      const expiresAt = new Date(Date.now() + config.BILLING_TOKEN_TTL_SECONDS * 1000);
      // `pwv`: the password the token was issued under; a reset changes it and the token stops working.
      const token = await new SignJWT({ role: row.role, pwv: new Date(row.password_changed_at).getTime() })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(row.id)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(secret);
      await audit({
        actor: row.email,
        action: 'auth.login',
        target: `customer:${row.id}`,
        ip,
        outcome: 'success',
      });
      return { token, expires_at: expiresAt.toISOString() };
    },

    /** Mails a reset link when the email is a customer's; the answer is the same either way. */
    async forgotPassword(email: string, ip: string) {
      const row = await byEmail(email);
      if (row) {
        const token = `rst_${randomBytes(32).toString('base64url')}`;
        await db('billing.password_resets').insert({
          id: newId('rst'),
          customer_id: row.id,
          token_hash: sha256(token),
          expires_at: new Date(Date.now() + config.BILLING_RESET_TTL_MINUTES * 60_000),
        });
        const link = `${config.BILLING_RESET_URL}${config.BILLING_RESET_URL.includes('?') ? '&' : '?'}token=${token}`;
        await deps.mail({
          to: row.email,
          subject: 'Reset your password',
          text: `Someone asked to reset the password of your account.\n\nTo choose a new one, open:\n${link}\n\nor send this token to POST ${productUrl(config, 'billing')}/api/v1/auth/reset-password:\n${token}\n\nIt works once, within ${config.BILLING_RESET_TTL_MINUTES} minutes. If it was not you, ignore this mail.\n`,
        });
      }
      await audit({ actor: email, action: 'auth.forgot_password', ip, outcome: row ? 'success' : 'failure' });
    },

    /**
     * Spends the token (once, before it expires) and every other outstanding one of the account,
     * sets the password and ends every older session.
     */
    async resetPassword(input: { token: string; newPassword: string }, ip: string) {
      const spent = () => new Invalid('token: is invalid, used or expired; ask for a new one', 'token');
      await db.transaction(async (trx) => {
        const reset = await trx('billing.password_resets')
          .where({ token_hash: sha256(input.token) })
          .first();
        if (!reset || reset.used_at || new Date(reset.expires_at) < new Date()) throw spent();
        // One reset at a time per account; read the token again under that lock, as a reset that
        // ran meanwhile voided it.
        const row = await customers(trx).where({ id: reset.customer_id }).forUpdate().first();
        const unspent = await trx('billing.password_resets')
          .where({ id: reset.id })
          .whereNull('used_at')
          .first();
        if (!row || !unspent) throw spent();
        checkStrength(input.newPassword, row.email, 'new_password');
        // This token and every other one still outstanding: a reset ends them all.
        await trx('billing.password_resets')
          .where({ customer_id: row.id })
          .whereNull('used_at')
          .update({ used_at: trx.fn.now() });
        await trx('billing.customers')
          .where({ id: row.id })
          .update({
            password_hash: await hashPassword(input.newPassword),
            password_changed_at: trx.fn.now(),
            updated_at: trx.fn.now(),
          });
        await writeAudit(trx, 'billing', {
          actor: row.email,
          action: 'auth.reset_password',
          target: `customer:${row.id}`,
          ip,
          outcome: 'success',
        });
      });
    },

    async authenticate(ctx: Context, level: BillingAuthLevel): Promise<void> {
      if (level === 'public') return;
      const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
      if (!match) throw new Unauthorized('missing bearer token');
      const claims = await jwtVerify(match[1], secret, { algorithms: ['HS256'], issuer: ISSUER }).then(
        (r) => r.payload,
        () => null,
      );
      const row = claims?.sub ? await customers(db).where({ id: claims.sub }).first() : undefined;
      if (!row || claims?.pwv !== new Date(row.password_changed_at).getTime())
        throw new Unauthorized('invalid or expired token');
      if (level === 'admin' && row.role !== 'admin') throw new Forbidden('admin role required');
      ctx.state.caller = { customer: row } satisfies BillingCaller;
    },
  };
}
export type BillingAuth = ReturnType<typeof createBillingAuth>;
