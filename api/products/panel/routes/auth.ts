import { reply } from '../../../http/route';
import { caller } from './context';
import * as s from '../schemas/auth';
import type { PanelRoute, PanelServices } from './context';

/** Login, logout, who am I, change password. */
export function authRoutes(route: PanelRoute, { auth }: PanelServices): void {
  route({
    method: 'post',
    path: '/v1/auth/login',
    tag: 'auth',
    auth: 'public',
    summary: 'Log in and get a bearer token',
    description: 'At most 5 failed attempts per 5 minutes per IP and username; then 429 with Retry-After.',
    body: s.LoginBody,
    responses: { 200: { description: 'Logged in', schema: s.LoginResponse } },
    handler: ({ body }, ctx) => auth.login(body, ctx.ip),
  });

  route({
    method: 'post',
    path: '/v1/auth/logout',
    tag: 'auth',
    auth: 'user',
    summary: 'Revoke this token at once',
    responses: { 204: { description: 'Logged out' } },
    handler: async (_, ctx) => {
      await auth.logout(caller(ctx), ctx.ip);
      return reply(204);
    },
  });

  route({
    method: 'get',
    path: '/v1/auth/me',
    tag: 'auth',
    auth: 'user',
    summary: 'Who this token belongs to',
    responses: { 200: { description: 'The caller', schema: s.MeResponse } },
    handler: async (_, ctx) => auth.me(caller(ctx)),
  });

  route({
    method: 'post',
    path: '/v1/auth/change-password',
    tag: 'auth',
    auth: 'user',
    summary: 'Change your password and sign out other sessions',
    body: s.ChangePasswordBody,
    responses: { 200: { description: 'Changed', schema: s.PasswordChanged } },
    handler: ({ body }, ctx) => auth.changePassword(caller(ctx), body, ctx.ip),
  });
}
