import { reply } from '../../../http/route';
import { caller } from './context';
import * as s from '../schemas/databases';
import type { PanelRoute, PanelServices } from './context';

/** MariaDB databases and their users: created at once, in MariaDB and in the panel's records. */
export function databaseRoutes(route: PanelRoute, { databases }: PanelServices): void {
  route({
    method: 'get',
    path: '/v1/db/databases',
    tag: 'databases',
    auth: 'admin',
    summary: 'List the databases the panel created, newest first',
    description:
      'Each with its users (never a password) and `on_server`: whether MariaDB has it now (false when dropped outside the panel, null when MariaDB is unreachable; the list still answers).',
    query: s.ListDatabasesQuery,
    responses: { 200: { description: 'Databases', schema: s.DatabaseList } },
    handler: ({ query }) => databases.list(query),
  });

  route({
    method: 'post',
    path: '/v1/db/databases',
    tag: 'databases',
    auth: 'admin',
    audit: 'database.create',
    summary: 'Create a MariaDB database (utf8mb4)',
    body: s.CreateDatabaseBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: s.DatabaseResponse },
      409: { description: 'A database with this name exists' },
      503: { description: 'MariaDB unreachable; nothing was changed' },
    },
    handler: ({ body }, ctx) => databases.create(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'post',
    path: '/v1/db/users',
    tag: 'databases',
    auth: 'admin',
    audit: 'database.user.create',
    summary: 'Create a MariaDB user with all privileges on one database only',
    description: 'The password is handed to MariaDB and never stored or logged by the panel.',
    body: s.CreateDatabaseUserBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: s.DatabaseUserResponse },
      404: { description: 'No panel database with that name' },
      409: { description: 'A user with this name and host exists' },
      503: { description: 'MariaDB unreachable; nothing was changed' },
    },
    handler: ({ body }, ctx) => databases.createUser(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'delete',
    path: '/v1/db/databases/{name}',
    tag: 'databases',
    auth: 'admin',
    audit: 'database.delete',
    summary: 'Drop a database the panel created, with its users',
    description:
      "DROP DATABASE and DROP USER of each account made for it, then the panel's rows. One " +
      'already dropped outside the panel loses its rows. Refused with 409 while a backup or ' +
      'restore of this host runs.',
    params: s.DatabaseNameParams,
    responses: {
      204: { description: 'Dropped' },
      404: { description: 'No panel database of that name (one the panel did not create is never dropped)' },
      409: { description: 'A backup or restore is running' },
      503: { description: 'MariaDB unreachable; nothing was changed' },
    },
    handler: async ({ params }, ctx) => {
      await databases.remove(caller(ctx), params.name, ctx.ip);
      return reply(204);
    },
  });

  route({
    method: 'delete',
    path: '/v1/db/users/{username}',
    tag: 'databases',
    auth: 'admin',
    audit: 'database.user.delete',
    summary: 'Drop a MariaDB user the panel created',
    description:
      'The account is `username@host` (`?host=`, localhost by default). ' +
      'Refused with 409 while a backup or restore of this host runs.',
    params: s.DatabaseUserParams,
    query: s.DeleteDatabaseUserQuery,
    responses: {
      204: { description: 'Dropped' },
      404: { description: 'No panel user with that name and host' },
      409: { description: 'A backup or restore is running' },
      503: { description: 'MariaDB unreachable; nothing was changed' },
    },
    handler: async ({ params, query }, ctx) => {
      await databases.removeUser(caller(ctx), { username: params.username, host: query.host }, ctx.ip);
      return reply(204);
    },
  });
}
