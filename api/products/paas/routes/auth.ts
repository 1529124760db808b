import * as s from '../schemas/auth';
import type { PaasRoute, PaasServices } from './context';

/** Register (a tenant of one's own), log in, refresh with rotation. */
export function authRoutes(route: PaasRoute, { auth }: PaasServices): void {
  route({
    method: 'post',
    path: '/api/v1/auth/register',
    tag: 'auth',
    auth: 'public',
    summary: 'Register a user account (in a new tenant of its own)',
    body: s.RegisterBody,
    status: 201,
    responses: {
      201: { description: 'Registered', schema: s.Registered },
      400: { description: 'Invalid input, or username or email already exists' },
    },
    handler: ({ body }, ctx) => auth.register(body, ctx.ip),
  });

  route({
    method: 'post',
    path: '/api/v1/auth/login',
    tag: 'auth',
    auth: 'public',
    summary: 'Log in with username and password',
    description:
      'At most PAAS_LOGIN_MAX_FAILURES failed attempts per PAAS_LOGIN_WINDOW_SECONDS per IP and username; then 429 with Retry-After.',
    body: s.LoginBody,
    responses: {
      200: { description: 'Logged in', schema: s.LoggedIn },
      401: { description: 'Invalid credentials, or account is inactive' },
      429: { description: 'Too many failed attempts' },
    },
    handler: ({ body }, ctx) => auth.login(body, ctx.ip),
  });

  route({
    method: 'post',
    path: '/api/v1/auth/refresh',
    tag: 'auth',
    auth: 'public',
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Each refresh token works once. Presenting one again (a stolen copy) revokes every token of that login: 401.',
    body: s.RefreshBody,
    responses: {
      200: { description: 'A new pair', schema: s.Refreshed },
      401: { description: 'Invalid refresh token, or account is inactive' },
    },
    handler: ({ body }, ctx) => auth.refresh(body, ctx.ip),
  });
}
