import { ok } from '../envelope';
import * as s from '../schemas/auth';
import { caller, type BillingRoute, type BillingServices } from './context';

/** Sign-up, login, password reset by mail, and the caller's profile. */
export function authRoutes(route: BillingRoute, { auth, customers }: BillingServices): void {
  route({
    method: 'post',
    path: '/api/v1/auth/register',
    tag: 'auth',
    auth: 'public',
    summary: 'Create a customer account',
    body: s.RegisterBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: s.Registered },
      409: { description: 'Email already registered' },
    },
    handler: async ({ body }, ctx) => ok(await auth.register(body, ctx.ip)),
  });
  route({
    method: 'post',
    path: '/api/v1/auth/login',
    tag: 'auth',
    auth: 'public',
    summary: 'Log in: a JWT and when it expires',
    body: s.LoginBody,
    responses: {
      200: { description: 'Logged in', schema: s.LoggedIn },
      401: { description: 'Wrong email or password' },
      429: { description: 'Too many failures' },
    },
    handler: async ({ body }, ctx) => ok(await auth.login(body, ctx.ip)),
  });
  route({
    method: 'post',
    path: '/api/v1/auth/forgot-password',
    tag: 'auth',
    auth: 'public',
    summary: 'Mail a single-use reset link (the answer is the same for unknown emails)',
    body: s.ForgotBody,
    responses: { 200: { description: 'Sent (if the email is a customer’s)', schema: s.Message } },
    handler: async ({ body }, ctx) => {
      await auth.forgotPassword(body.email, ctx.ip);
      return ok('Password reset email sent');
    },
  });
  route({
    method: 'post',
    path: '/api/v1/auth/reset-password',
    tag: 'auth',
    auth: 'public',
    summary: 'Set a new password with the mailed token (once, before it expires); ends every session',
    body: s.ResetBody,
    responses: {
      200: { description: 'Reset', schema: s.Message },
      400: { description: 'Bad, used or expired token, or a weak password' },
    },
    handler: async ({ body }, ctx) => {
      await auth.resetPassword({ token: body.token, newPassword: body.new_password }, ctx.ip);
      return ok('Password reset successfully');
    },
  });
  route({
    method: 'get',
    path: '/api/v1/profile',
    tag: 'profile',
    auth: 'customer',
    summary: "The caller's profile",
    responses: { 200: { description: 'Profile', schema: s.Profile } },
    handler: async (_, ctx) => ok(customers.profile(caller(ctx))),
  });
  route({
    method: 'put',
    path: '/api/v1/profile',
    tag: 'profile',
    auth: 'customer',
    summary: 'Update name or company',
    body: s.ProfileBody,
    responses: { 200: { description: 'Updated', schema: s.Profile } },
    handler: async ({ body }, ctx) => ok(await customers.updateProfile(caller(ctx), body, ctx.ip)),
  });
  route({
    method: 'delete',
    path: '/api/v1/profile',
    tag: 'profile',
    auth: 'customer',
    summary: 'Delete the account (soft): its subscription is canceled and its keys stop working',
    responses: { 200: { description: 'Deleted', schema: s.Message } },
    handler: async (_, ctx) => {
      await customers.deleteAccount(caller(ctx), ctx.ip);
      return ok('Account deleted successfully');
    },
  });
}
