import { caller } from '.';
import * as s from '../schemas';
import type { PanelRoute, PanelServices } from '.';

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
}
