import { Message } from '../envelope';
import { IdParams } from '../schemas/common';
import * as s from '../schemas/users';
import { caller, type PaasRoute, type PaasServices } from './context';

/** Admin only: list users, change roles, activate and deactivate accounts. */
export function adminRoutes(route: PaasRoute, { users }: PaasServices): void {
  route({
    method: 'get',
    path: '/api/v1/admin/users',
    tag: 'admin',
    auth: 'admin',
    summary: 'List all users (oldest first)',
    query: s.ListQuery,
    responses: {
      200: { description: 'A page of users', schema: s.UserList },
      403: { description: 'Insufficient permissions' },
    },
    handler: ({ query }) => users.list(query),
  });

  route({
    method: 'put',
    path: '/api/v1/admin/users/{id}/role',
    tag: 'admin',
    auth: 'admin',
    summary: "Change a user's role",
    description: 'An admin cannot change their own role (the platform would lose its way in).',
    params: IdParams,
    body: s.RoleBody,
    responses: {
      200: { description: 'Updated', schema: Message },
      400: { description: 'Invalid user ID or role' },
      403: { description: 'Insufficient permissions' },
      404: { description: 'User not found' },
    },
    handler: ({ params, body }, ctx) => users.setRole(caller(ctx), params.id, body.role),
  });

  route({
    method: 'put',
    path: '/api/v1/admin/users/{id}/activate',
    tag: 'admin',
    auth: 'admin',
    summary: 'Activate a user account',
    params: IdParams,
    responses: {
      200: { description: 'Activated', schema: Message },
      403: { description: 'Insufficient permissions' },
      404: { description: 'User not found' },
    },
    handler: ({ params }, ctx) => users.activate(caller(ctx), params.id),
  });

  route({
    method: 'put',
    path: '/api/v1/admin/users/{id}/deactivate',
    tag: 'admin',
    auth: 'admin',
    summary: 'Deactivate a user account',
    description:
      "Its tokens stop working at once (access and refresh); login answers 401 'Account is inactive'.",
    params: IdParams,
    responses: {
      200: { description: 'Deactivated', schema: Message },
      403: { description: 'Insufficient permissions' },
      404: { description: 'User not found' },
    },
    handler: ({ params }, ctx) => users.deactivate(caller(ctx), params.id),
  });
}
