import { jwtVerify, SignJWT } from 'jose';
import type { Context } from 'koa';
import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { randomBytes } from 'node:crypto';
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
import { spendRefreshToken } from '../../http/refresh-tokens';
import { writeAudit } from '../../http/audit';
import { createLoginThrottle } from '../../http/login-throttle';
import { bootstrapAdmin } from '../bootstrap-admin';
import { LabUser, RefreshToken } from './models';

export type LabAuthLevel = 'public' | 'user' | 'admin';
export interface LabCaller {
  user: LabUser;
}

export const userView = (u: LabUser) => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
  createdAt: u.created_at.toISOString(),
});

/**
 * Researchers' and admins' accounts: short-lived JWT access tokens, single-use refresh tokens in
 * families (a replayed one ends its family: whoever holds the other copy is logged out too).
 */
export function createLabAuthService(deps: { db: Knex; config: Config; logger: Logger }) {
  const { db, config } = deps;
  const secret = signingKey(
    config.GPULAB_JWT_SECRET,
    config.DERMAGA_SECRET_KEY,
    'gpu-lab access tokens',
    'GPULAB_JWT_SECRET',
  );
  const audit = (entry: Parameters<typeof writeAudit>[2]) => writeAudit(db, 'gpu-lab', entry);
  const throttle = createLoginThrottle(db, {
    product: 'gpu-lab',
    maxFailures: config.GPULAB_LOGIN_MAX_FAILURES,
    maxFailuresPerIp: config.GPULAB_LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: config.GPULAB_LOGIN_WINDOW_SECONDS,
  });
  const decoyHash = hashPassword(generatePassword());

  async function issue(user: LabUser, familyId = newId('fam')) {
    const accessToken = await new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuedAt()
      .setExpirationTime(`${config.GPULAB_ACCESS_TOKEN_TTL_SECONDS}s`)
      .setIssuer('dermaga/gpu-lab')
      .sign(secret);
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await RefreshToken.query(db).insert({
      id: newId('rft'),
      user_id: user.id,
      family_id: familyId,
      token_hash: sha256(refreshToken),
      expires_at: new Date(Date.now() + config.GPULAB_REFRESH_TOKEN_TTL_SECONDS * 1000),
    });
    return {
      accessToken,
      refreshToken,
      expiresIn: config.GPULAB_ACCESS_TOKEN_TTL_SECONDS,
      user: userView(user),
    };
  }

  /** Password check within the login limits: per IP and email, and per IP across emails. */
  async function checkCredentials(
    input: { email: string; password: string },
    ip: string,
    action: string,
  ): Promise<LabUser> {
    const user = await LabUser.query(db).whereRaw('lower(email) = ?', [input.email]).first();
    const ok = await throttle.check(
      ip,
      input.email,
      async () => verifyPassword(user?.password_hash ?? (await decoyHash), input.password),
      () => audit({ actor: input.email, action, ip, outcome: 'denied', detail: { reason: 'rate_limited' } }),
    );
    if (!user || !ok) {
      await audit({
        actor: input.email,
        action,
        ip,
        outcome: 'failure',
        detail: { reason: 'bad_credentials' },
      });
      throw new Unauthorized('invalid email or password');
    }
    return user;
  }

  return {
    /** The first admin on a fresh database (a generated password is printed once). */
    bootstrapAdmin: () =>
      bootstrapAdmin({
        product: 'gpu-lab',
        who: config.GPULAB_ADMIN_EMAIL,
        configuredPassword: config.GPULAB_BOOTSTRAP_PASSWORD,
        logger: deps.logger,
        exists: () => LabUser.query(db).findOne({ role: 'admin' }),
        insert: async (password_hash) =>
          (
            await db('gpu_lab.users')
              .insert({
                id: newId('usr'),
                email: config.GPULAB_ADMIN_EMAIL,
                name: 'Admin',
                password_hash,
                role: 'admin',
              })
              .onConflict(db.raw('(lower(email))'))
              .ignore()
              .returning('id')
          ).length > 0,
      }),

    async register(input: { name: string; email: string; password: string }, ip: string) {
      const weakness = passwordWeakness(input.password, input.email.split('@')[0]);
      if (weakness) throw new Invalid(`password: ${weakness}`, 'password');
      const user = await LabUser.query(db)
        .insertAndFetch({
          id: newId('usr'),
          name: input.name,
          email: input.email,
          password_hash: await hashPassword(input.password),
          role: 'researcher',
        })
        .catch((err) => {
          throw err instanceof UniqueViolationError
            ? new Conflict('email: is already registered', 'email')
            : err;
        });
      await audit({
        actor: user.email,
        action: 'auth.register',
        target: `user:${user.id}`,
        ip,
        outcome: 'success',
      });
      return { user: userView(user) };
    },

    async login(input: { email: string; password: string }, ip: string) {
      const user = await checkCredentials(input, ip, 'auth.login');
      await audit({
        actor: user.email,
        action: 'auth.login',
        target: `user:${user.id}`,
        ip,
        outcome: 'success',
      });
      return issue(user);
    },

    /** The admin console's login: the same check, and only admins get tokens from it. */
    async adminLogin(input: { email: string; password: string }, ip: string) {
      const user = await checkCredentials(input, ip, 'auth.admin_login');
      if (user.role !== 'admin') {
        await audit({
          actor: user.email,
          action: 'auth.admin_login',
          target: `user:${user.id}`,
          ip,
          outcome: 'denied',
          detail: { reason: 'not_admin' },
        });
        throw new Forbidden('this account is not an administrator');
      }
      await audit({
        actor: user.email,
        action: 'auth.admin_login',
        target: `user:${user.id}`,
        ip,
        outcome: 'success',
      });
      return issue(user);
    },

    /**
     * Exchanges a refresh token for a new pair in the same family. A token already exchanged is a
     * replay: the whole family is revoked and the caller must log in again.
     */
    async refresh(input: { refreshToken: string }, ip: string) {
      const outcome = await spendRefreshToken(db, 'gpu_lab.refresh_tokens', input.refreshToken);
      if (outcome.kind === 'invalid') throw new Unauthorized('invalid or expired refresh token');
      if (outcome.kind === 'replayed') {
        await audit({
          actor: outcome.userId,
          action: 'auth.refresh',
          target: `user:${outcome.userId}`,
          ip,
          outcome: 'denied',
          detail: { reason: 'refresh_token_reused', family: outcome.familyId },
        });
        throw new Unauthorized('refresh token already used; every session from that login was signed out');
      }
      const user = await LabUser.query(db).findById(outcome.userId);
      if (!user) throw new Unauthorized('invalid or expired refresh token');
      return issue(user, outcome.familyId);
    },

    /** Signs the caller out everywhere: every refresh token ends now (access tokens run out within minutes). */
    async revokeAll(caller: LabCaller, ip: string) {
      const revoked = await RefreshToken.query(db)
        .patch({ revoked_at: new Date() })
        .where({ user_id: caller.user.id })
        .whereNull('revoked_at');
      await audit({
        actor: caller.user.email,
        action: 'auth.revoke_refresh_tokens',
        target: `user:${caller.user.id}`,
        ip,
        outcome: 'success',
        detail: { revoked },
      });
      return { revoked };
    },

    async authenticate(ctx: Context, level: LabAuthLevel): Promise<void> {
      if (level === 'public') return;
      const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
      if (!match) throw new Unauthorized('missing bearer token');
      const claims = await jwtVerify(match[1], secret, {
        algorithms: ['HS256'],
        issuer: 'dermaga/gpu-lab',
      }).then(
        (r) => r.payload,
        () => null,
      );
      const user = claims?.sub ? await LabUser.query(db).findById(claims.sub) : undefined;
      if (!user) throw new Unauthorized('invalid or expired token');
      if (level === 'admin' && user.role !== 'admin') throw new Forbidden('admin role required');
      ctx.state.caller = { user } satisfies LabCaller;
    },
  };
}
export type LabAuthService = ReturnType<typeof createLabAuthService>;
