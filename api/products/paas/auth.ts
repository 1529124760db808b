import { jwtVerify, SignJWT } from 'jose';
import type { Context } from 'koa';
import type { Knex } from 'knex';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../../../core/config';
import {
  generatePassword,
  hashPassword,
  passwordWeakness,
  sha256,
  verifyPassword,
} from '../../../core/crypto';
import { Forbidden, Invalid, Unauthorized } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import { signingKey } from '../../../core/secret-box';
import { spendRefreshToken } from '../../http/refresh-tokens';
import { writeAudit } from '../../http/audit';
import { createLoginThrottle } from '../../http/login-throttle';
import { bootstrapAdmin } from '../bootstrap-admin';
import { brokenUnique, PaasUser, RefreshToken } from './models';

/** public: anyone; user: any active account; admin: the `admin` role. */
export type PaasAuthLevel = 'public' | 'user' | 'admin';
export interface PaasCaller {
  user: PaasUser;
}

const ISSUER = 'dermaga/paas';
const INACTIVE = 'Account is inactive';

/** The user as /users/me and /admin/users show it. */
export const userView = (u: PaasUser) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  first_name: u.first_name,
  last_name: u.last_name,
  role: u.role,
  is_active: u.is_active,
  tenant_id: u.tenant_id,
  created_at: u.created_at.toISOString(),
  updated_at: u.updated_at.toISOString(),
});

/** A unique violation of paas.users: which field was taken. */
function takenField(err: unknown): 'username' | 'email' | null {
  const constraint = brokenUnique(err);
  if (constraint === null) return null;
  return constraint === 'users_email_unique' ? 'email' : 'username';
}

/**
 * Accounts: short-lived JWT access tokens, single-use refresh tokens in families (a replayed one
 * ends its family). Every request loads its user, so a deactivated account's tokens stop at once.
 */
export function createPaasAuthService(deps: { db: Knex; config: Config; logger: Logger }) {
  const { db, config } = deps;
  const secret = signingKey(
    config.PAAS_JWT_SECRET,
    config.DERMAGA_SECRET_KEY,
    'paas access tokens',
    'PAAS_JWT_SECRET',
  );
  const audit = (entry: Parameters<typeof writeAudit>[2]) => writeAudit(db, 'paas', entry);
  const throttle = createLoginThrottle(db, {
    product: 'paas',
    maxFailures: config.PAAS_LOGIN_MAX_FAILURES,
    maxFailuresPerIp: config.PAAS_LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.PAAS_LOGIN_WINDOW_SECONDS,
  });
  const decoyHash = hashPassword(generatePassword());

  async function issue(user: PaasUser, familyId: string = randomUUID()) {
    const expiresAt = new Date(Date.now() + config.PAAS_ACCESS_TOKEN_TTL_SECONDS * 1000);
    const token = await new SignJWT({ role: user.role, tenant_id: user.tenant_id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .setIssuer(ISSUER)
      .sign(secret);
    const refreshToken = `prt_${randomBytes(32).toString('base64url')}`;
    await RefreshToken.query(db).insert({
      id: randomUUID(),
      user_id: user.id,
      family_id: familyId,
      token_hash: sha256(refreshToken),
      expires_at: new Date(Date.now() + config.PAAS_REFRESH_TOKEN_TTL_SECONDS * 1000),
    });
    return { token, refresh_token: refreshToken, expires_at: expiresAt.toISOString() };
  }

  return {
    /** The first admin on a fresh database (a generated password is printed once), in its own tenant. */
    bootstrapAdmin: () =>
      bootstrapAdmin({
        product: 'paas',
        who: `username "${config.PAAS_ADMIN_USERNAME}"`,
        configuredPassword: config.PAAS_BOOTSTRAP_PASSWORD,
        logger: deps.logger,
        exists: () => PaasUser.query(db).findOne({ role: 'admin' }),
        insert: (password_hash) =>
          db.transaction(async (trx) => {
            // Several API processes may start at once: the first insert wins, the others add nothing.
            const tenantId = randomUUID();
            await trx('paas.tenants').insert({ id: tenantId, name: 'platform' });
            const rows = await trx('paas.users')
              .insert({
                id: randomUUID(),
                tenant_id: tenantId,
                username: config.PAAS_ADMIN_USERNAME,
                email: config.PAAS_ADMIN_EMAIL,
                first_name: 'Platform',
                last_name: 'Admin',
                password_hash,
                role: 'admin',
              })
              .onConflict(db.raw('(lower(username))'))
              .ignore()
              .returning('id');
            if (rows.length === 0) await trx('paas.tenants').where({ id: tenantId }).delete();
            return rows.length > 0;
          }),
      }),

    /** A new account in a new tenant of its own (its owner is a plain `user` until an admin says otherwise). */
    async register(
      input: { username: string; email: string; password: string; first_name: string; last_name: string },
      ip: string,
    ) {
      const weakness = passwordWeakness(input.password, input.username);
      if (weakness) throw new Invalid(`password: ${weakness}`, 'password');
      const password_hash = await hashPassword(input.password);
      const user = await db
        .transaction(async (trx) => {
          const tenantId = randomUUID();
          await trx('paas.tenants').insert({ id: tenantId, name: input.username });
          return PaasUser.query(trx).insertAndFetch({
            id: randomUUID(),
            tenant_id: tenantId,
            username: input.username,
            email: input.email,
            first_name: input.first_name,
            last_name: input.last_name,
            password_hash,
            role: 'user',
            is_active: true,
          });
        })
        .catch((err) => {
          const field = takenField(err);
          if (field) throw new Invalid('Username or email already exists', field);
          throw err;
        });
      await audit({
        actor: user.username,
        action: 'auth.register',
        target: `user:${user.id}`,
        ip,
        outcome: 'success',
      });
      const { tenant_id: _tenant, ...view } = userView(user);
      return { message: 'User registered successfully', user: view };
    },

    /** Password check within the login limits (429), then the account must be active. */
    async login(input: { username: string; password: string }, ip: string) {
      const user = await PaasUser.query(db).whereRaw('lower(username) = lower(?)', [input.username]).first();
      const ok = await throttle.check(
        ip,
        input.username,
        async () => verifyPassword(user?.password_hash ?? (await decoyHash), input.password),
        () =>
          audit({
            actor: input.username,
            action: 'auth.login',
            ip,
            outcome: 'denied',
            detail: { reason: 'rate_limited' },
          }),
      );
      if (!user || !ok) {
        await audit({
          actor: input.username,
          action: 'auth.login',
          ip,
          outcome: 'failure',
          detail: { reason: 'bad_credentials' },
        });
        throw new Unauthorized('Invalid credentials');
      }
      if (!user.is_active) {
        await audit({
          actor: user.username,
          action: 'auth.login',
          target: `user:${user.id}`,
          ip,
          outcome: 'denied',
          detail: { reason: 'inactive' },
        });
        throw new Unauthorized(INACTIVE);
      }
      await audit({
        actor: user.username,
        action: 'auth.login',
        target: `user:${user.id}`,
        ip,
        outcome: 'success',
      });
      const tokens = await issue(user);
      return {
        token: tokens.token,
        refresh_token: tokens.refresh_token,
        user: {
          id: user.id,
          username: user.username,
          email: user.email,
          role: user.role,
          is_active: user.is_active,
        },
        expires_at: tokens.expires_at,
      };
    },

    /**
     * Exchanges a refresh token for a new pair in the same family. A token already exchanged is a
     * replay: the whole family is revoked and the caller must log in again.
     */
    async refresh(input: { refresh_token: string }, ip: string) {
      const outcome = await spendRefreshToken(db, 'paas.refresh_tokens', input.refresh_token);
      if (outcome.kind === 'invalid') throw new Unauthorized('Invalid refresh token');
      if (outcome.kind === 'replayed') {
        await audit({
          actor: outcome.userId,
          action: 'auth.refresh',
          target: `user:${outcome.userId}`,
          ip,
          outcome: 'denied',
          detail: { reason: 'refresh_token_reused', family: outcome.familyId },
        });
        throw new Unauthorized('Invalid refresh token');
      }
      const user = await PaasUser.query(db).findById(outcome.userId);
      if (!user) throw new Unauthorized('Invalid refresh token');
      if (!user.is_active) throw new Unauthorized(INACTIVE);
      const tokens = await issue(user, outcome.familyId);
      return {
        token: tokens.token,
        refresh_token: tokens.refresh_token,
        user: { id: user.id, username: user.username, email: user.email, role: user.role },
        expires_at: tokens.expires_at,
      };
    },

    /** Bearer JWT, then the user read afresh: a deactivated or demoted account is refused at once. */
    async authenticate(ctx: Context, level: PaasAuthLevel): Promise<void> {
      if (level === 'public') return;
      const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
      if (!match) throw new Unauthorized('Invalid or missing token');
      const claims = await jwtVerify(match[1], secret, { algorithms: ['HS256'], issuer: ISSUER }).then(
        (r) => r.payload,
        () => null,
      );
      const sub = claims?.sub;
      const user = sub && /^[0-9a-f-]{36}$/i.test(sub) ? await PaasUser.query(db).findById(sub) : undefined;
      if (!user) throw new Unauthorized('Invalid or missing token');
      if (!user.is_active) throw new Unauthorized(INACTIVE);
      if (level === 'admin' && user.role !== 'admin') throw new Forbidden('Insufficient permissions');
      ctx.state.caller = { user } satisfies PaasCaller;
    },
  };
}
export type PaasAuthService = ReturnType<typeof createPaasAuthService>;
