import { reply } from '../../../http/route';
import * as s from '../schemas/users';
import { caller, type PanelRoute, type PanelServices } from './context';

/** Panel users (admins and viewers), managed by admins. */
export function userRoutes(route: PanelRoute, { users }: PanelServices): void {
  route({
    method: 'get',
    path: '/v1/users',
    tag: 'users',
    auth: 'admin',
    summary: 'List panel users, oldest first',
    query: s.ListPanelUsersQuery,
    responses: { 200: { description: 'Users (never a password or its hash)', schema: s.PanelUserList } },
    handler: ({ query }) => users.list(query),
  });

  route({
    method: 'post',
    path: '/v1/users',
    tag: 'users',
    auth: 'admin',
    audit: 'user.create',
    summary: 'Create a panel user: an admin, or a viewer who may only use the auth endpoints',
    body: s.CreatePanelUserBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: s.PanelUserResponse },
      409: { description: 'The username is taken' },
    },
    handler: ({ body }, ctx) => users.create(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'delete',
    path: '/v1/users/{user_id}',
    tag: 'users',
    auth: 'admin',
    audit: 'user.delete',
    summary: 'Delete a panel user and end their sessions',
    params: s.PanelUserIdParams,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'No such user' },
      409: { description: 'Yourself, or the last admin' },
    },
    handler: async ({ params }, ctx) => {
      await users.remove(caller(ctx), params.user_id, ctx.ip);
      return reply(204);
    },
  });

  route({
    method: 'post',
    path: '/v1/users/{user_id}/reset-password',
    tag: 'users',
    auth: 'admin',
    audit: 'user.reset_password',
    summary: "Set a user's password and sign them out everywhere",
    params: s.PanelUserIdParams,
    body: s.ResetPanelPasswordBody,
    responses: {
      200: { description: 'Reset', schema: s.PasswordReset },
      404: { description: 'No such user' },
    },
    handler: ({ params, body }, ctx) => users.resetPassword(caller(ctx), params.user_id, body, ctx.ip),
  });
}
