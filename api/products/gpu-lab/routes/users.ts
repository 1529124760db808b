import { caller } from './context';
import { userView } from '../auth';
import { answer } from '../envelope';
import * as s from '../schemas/users';
import type { LabRoute, LabServices } from './context';

/** The caller's own profile, and the admins' management of accounts. */
export function userRoutes(route: LabRoute, { users }: LabServices): void {
  route({
    method: 'get',
    path: '/api/v1/users/profile',
    tag: 'users',
    auth: 'user',
    summary: "The logged-in user's profile",
    responses: { 200: { description: 'Profile', schema: s.UserAnswer } },
    handler: async (_, ctx) => answer('Your profile', { user: userView(caller(ctx).user) }),
  });

  route({
    method: 'get',
    path: '/api/v1/users',
    tag: 'users',
    auth: 'admin',
    summary: 'All accounts, newest first, searchable by name or email',
    query: s.ListUsersQuery,
    responses: { 200: { description: 'Accounts', schema: s.UserList } },
    handler: async ({ query }) => answer('Users', await users.list(query)),
  });

  route({
    method: 'get',
    path: '/api/v1/users/dropdown',
    tag: 'users',
    auth: 'admin',
    summary: 'Researchers as id, name and email, for pickers',
    responses: { 200: { description: 'Researchers', schema: s.Dropdown } },
    handler: async () => answer('Users', await users.dropdown()),
  });

  route({
    method: 'put',
    path: '/api/v1/users/{id}',
    tag: 'users',
    auth: 'admin',
    summary: "Update an account's name, email or role",
    params: s.UserIdParams,
    body: s.UpdateUserBody,
    responses: {
      200: { description: 'Updated', schema: s.UserAnswer },
      409: { description: 'Email taken, or an admin demoting themselves' },
    },
    handler: async ({ params, body }, ctx) =>
      answer('User updated', await users.update(caller(ctx), params.id, body, ctx.ip)),
  });

  route({
    method: 'delete',
    path: '/api/v1/users/{id}',
    tag: 'users',
    auth: 'admin',
    summary: 'Delete an account (refused while it has containers)',
    params: s.UserIdParams,
    responses: {
      200: { description: 'Deleted', schema: s.Deleted },
      409: { description: 'The user has containers, or it is the caller' },
    },
    handler: async ({ params }, ctx) =>
      answer('User deleted', await users.remove(caller(ctx), params.id, ctx.ip)),
  });
}
