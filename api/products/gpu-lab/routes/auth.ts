import { caller } from './context';
import { answer } from '../envelope';
import * as s from '../schemas/auth';
import type { LabRoute, LabServices } from './context';

/** Register, log in (researchers; admins through their own door), refresh with rotation, sign out everywhere. */
export function authRoutes(route: LabRoute, { auth }: LabServices): void {
  route({
    method: 'post',
    path: '/api/v1/auth/register',
    tag: 'auth',
    auth: 'public',
    summary: 'Register a researcher account',
    body: s.RegisterBody,
    status: 201,
    responses: {
      201: { description: 'Registered', schema: s.UserAnswer },
      409: { description: 'Email already registered' },
    },
    handler: async ({ body }, ctx) => answer('Registered', await auth.register(body, ctx.ip)),
  });

  for (const [path, summary, fn] of [
    ['/api/v1/auth/login', 'Log in (researchers and admins)', auth.login],
    [
      '/api/v1/auth/admin/login',
      'Log in to the admin console (refuses non-admins with 403)',
      auth.adminLogin,
    ],
  ] as const) {
    route({
      method: 'post',
      path,
      tag: 'auth',
      auth: 'public',
      summary,
      description: 'At most 5 failed attempts per 5 minutes per IP and email; then 429 with Retry-After.',
      body: s.LoginBody,
      responses: {
        200: { description: 'Logged in', schema: s.TokensAnswer },
        401: { description: 'Wrong email or password' },
      },
      handler: async ({ body }, ctx) => answer('Logged in', await fn(body, ctx.ip)),
    });
  }

  route({
    method: 'post',
    path: '/api/v1/auth/refreshToken',
    tag: 'auth',
    auth: 'public',
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Each refresh token works once. Presenting one again (a stolen copy) signs out every session of that login: 401.',
    body: s.RefreshBody,
    responses: {
      200: { description: 'A new pair', schema: s.TokensAnswer },
      401: { description: 'Invalid, expired, revoked or reused' },
    },
    handler: async ({ body }, ctx) => answer('Tokens refreshed', await auth.refresh(body, ctx.ip)),
  });

  route({
    method: 'post',
    path: '/api/v1/auth/revokeRefreshTokens',
    tag: 'auth',
    auth: 'user',
    summary: "Revoke all of the caller's refresh tokens (sign out everywhere)",
    responses: { 200: { description: 'Revoked', schema: s.RevokedAnswer } },
    handler: async (_, ctx) =>
      answer('All refresh tokens revoked', await auth.revokeAll(caller(ctx), ctx.ip)),
  });
}
