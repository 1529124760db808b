import { answer, listAnswer } from '../envelope';
import { Empty, UserIdParams } from '../schemas/common';
import * as s from '../schemas/users';
import { caller, type AcademyRoute, type AcademyServices } from './context';

/** Users: admins list and create; "Self" (the owner or an admin) reads, updates and deletes. */
export function userRoutes(route: AcademyRoute, { users }: AcademyServices): void {
  route({
    method: 'get',
    path: '/api/v1/users',
    tag: 'users',
    auth: 'admin',
    summary: 'List users (admins), by page, with search and filters',
    query: s.UserListQuery,
    responses: { 200: { description: 'A page of users', schema: s.UserListAnswer } },
    handler: async ({ query }) => {
      const { users: list, pagination } = await users.list(query);
      return listAnswer('Successfully retrieved all user data.', { users: list }, pagination);
    },
  });

  route({
    method: 'get',
    path: '/api/v1/users/{userId}',
    tag: 'users',
    auth: 'self',
    summary: 'Read a user (self or admin; another learner is 404)',
    params: UserIdParams,
    responses: { 200: { description: 'The user', schema: s.UserAnswer } },
    handler: async ({ params }) =>
      answer('Successfully retrieved user data.', { user: await users.get(params.userId) }),
  });

  route({
    method: 'post',
    path: '/api/v1/users',
    tag: 'users',
    auth: 'admin',
    summary: 'Create a user (admins), with memberLevel and role',
    body: s.CreateUserBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: s.UserAnswer },
      409: { description: 'Email already registered' },
    },
    handler: async ({ body }, ctx) =>
      answer(
        'Successfully created a new user account.',
        { user: await users.create(body, caller(ctx), ctx.ip) },
        201,
      ),
  });

  route({
    method: 'patch',
    path: '/api/v1/users/{userId}',
    tag: 'users',
    auth: 'self',
    summary: 'Update a user (self or admin; memberLevel, role and isActive: admins only)',
    params: UserIdParams,
    body: s.UpdateUserBody,
    responses: {
      200: { description: 'Updated', schema: s.UserAnswer },
      403: { description: 'A learner setting an admin-only field' },
      409: { description: 'Email already registered, or the last active admin' },
    },
    handler: async ({ params, body }, ctx) =>
      answer('Successfully updated user data.', {
        user: await users.update(params.userId, body, caller(ctx), ctx.ip),
      }),
  });

  route({
    method: 'delete',
    path: '/api/v1/users/{userId}',
    tag: 'users',
    auth: 'self',
    summary: 'Delete a user account (self or admin); its sessions end at once',
    params: UserIdParams,
    responses: {
      200: { description: 'Deleted', schema: Empty },
      409: { description: 'The last active admin' },
    },
    handler: async ({ params }, ctx) => {
      await users.remove(params.userId, caller(ctx), ctx.ip);
      return answer('Successfully deleted a user account.', null);
    },
  });
}
