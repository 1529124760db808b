import { answer } from '../envelope';
import * as s from '../schemas/auth';
import { Empty } from '../schemas/common';
import { caller, type AcademyRoute, type AcademyServices } from './context';

/** Register, log in, log out, forgot and reset password (academy.md's /auth). */
export function authRoutes(route: AcademyRoute, { accounts, passwordReset }: AcademyServices): void {
  route({
    method: 'post',
    path: '/api/v1/auth/register',
    tag: 'auth',
    auth: 'public',
    summary: 'Register a learner account',
    body: s.RegisterBody,
    status: 201,
    responses: {
      201: { description: 'Registered', schema: s.RegisteredAnswer },
      409: { description: 'Email already registered' },
    },
    handler: async ({ body }, ctx) => {
      const user = await accounts.register(body, ctx.ip);
      return answer('Successfully registered a new user account.', { user: { id: user.id } }, 201);
    },
  });

  route({
    method: 'post',
    path: '/api/v1/auth/login',
    tag: 'auth',
    auth: 'public',
    summary: 'Log in (learners and admins)',
    description:
      'Public (the contract\'s "Required" is a slip). At most ACADEMY_LOGIN_MAX_FAILURES failed attempts per window per IP and email; then 429 with Retry-After.',
    body: s.LoginBody,
    responses: {
      200: { description: 'Logged in', schema: s.LoginAnswer },
      401: { description: 'Wrong email or password' },
      429: { description: 'Too many failed attempts' },
    },
    handler: async ({ body }, ctx) => answer('Successfully logged in.', await accounts.login(body, ctx.ip)),
  });

  route({
    method: 'post',
    path: '/api/v1/auth/logout',
    tag: 'auth',
    auth: 'user',
    summary: 'Log out: the token the call carries stops working at once',
    responses: { 200: { description: 'Logged out', schema: Empty } },
    handler: async (_, ctx) => {
      await accounts.logout(caller(ctx), ctx.ip);
      return answer('Successfully logged out.', null);
    },
  });

  route({
    method: 'post',
    path: '/api/v1/auth/forgot-password',
    tag: 'auth',
    auth: 'public',
    summary: 'Mail a single-use, expiring reset link',
    description: 'The answer is the same whether the email belongs to an account.',
    body: s.ForgotPasswordBody,
    responses: { 200: { description: 'Sent if the account exists', schema: s.EmailAnswer } },
    handler: async ({ body }, ctx) => {
      await passwordReset.forgotPassword(body.email, ctx.ip);
      return answer('Successfully sent password reset link to your email.', { user: { email: body.email } });
    },
  });

  route({
    method: 'post',
    path: '/api/v1/auth/reset-password',
    tag: 'auth',
    auth: 'public',
    summary: 'Set a new password with the mailed token',
    description:
      'Public: the mailed token is the proof. The token works once; every session of the account ends.',
    body: s.ResetPasswordBody,
    responses: {
      200: { description: 'Password reset', schema: s.EmailAnswer },
      400: { description: 'Token invalid/used/expired, weak or mismatched password' },
    },
    handler: async ({ body }, ctx) =>
      answer('Successfully reset your password.', { user: await passwordReset.resetPassword(body, ctx.ip) }),
  });
}
