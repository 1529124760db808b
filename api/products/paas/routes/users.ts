import { User } from '../schemas/common';
import * as s from '../schemas/users';
import { caller, type PaasRoute, type PaasServices } from './context';

/** The caller's own account. */
export function userRoutes(route: PaasRoute, { users }: PaasServices): void {
  route({
    method: 'get',
    path: '/api/v1/users/me',
    tag: 'users',
    auth: 'user',
    summary: 'The current user',
    responses: { 200: { description: 'The user', schema: User } },
    handler: async (_, ctx) => users.me(caller(ctx)),
  });

  route({
    method: 'put',
    path: '/api/v1/users/me',
    tag: 'users',
    auth: 'user',
    summary: "Update the current user's names or email",
    body: s.UpdateMeBody,
    responses: {
      200: { description: 'Updated', schema: s.UpdatedMe },
      400: { description: 'Invalid input, or the email is taken' },
    },
    handler: ({ body }, ctx) => users.updateMe(caller(ctx), body),
  });
}
