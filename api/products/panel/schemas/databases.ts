import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { Limit, Offset } from './common';

/** A MariaDB database or user name: only characters that never need quoting in SQL. */
const SqlName = (max: number) =>
  z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_]{1,${max}}$`), `must be 1–${max} characters, each a letter, digit or _`);

/** A MariaDB account's host part; the account is username@host. */
const AccountHost = z
  .string()
  .max(255)
  .regex(
    /^(%|(\d{1,3}\.){1,3}(\d{1,3}|%)|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/,
    'must be localhost, %, an IPv4 address (a trailing % allowed) or a hostname',
  )
  .default('localhost');

export const CreateDatabaseBody = z
  .strictObject({ name: SqlName(64).openapi({ example: 'app_db' }) })
  .openapi('CreateDatabaseRequest');

export const CreateDatabaseUserBody = z
  .strictObject({
    database: SqlName(64).openapi({ example: 'app_db', description: 'A database the panel created' }),
    username: SqlName(32).openapi({ example: 'app_user' }),
    password: z.string().min(1).max(256).openapi({
      description:
        '12+ characters mixing three of lowercase, uppercase, digits, symbols; not containing the username. Never stored.',
    }),
    host: AccountHost.openapi({
      description: 'Where the user may connect from: localhost (socket), 127.0.0.1, % (anywhere), ...',
    }),
  })
  .openapi('CreateDatabaseUserRequest');

export const DatabaseNameParams = z.strictObject({ name: SqlName(64) });
export const DatabaseUserParams = z.strictObject({ username: SqlName(32) });
export const DeleteDatabaseUserQuery = z.strictObject({
  host: AccountHost.openapi({
    description: 'The account is username@host; as when it was created, localhost by default',
  }),
});

export const ListDatabasesQuery = z.strictObject({ limit: Limit, offset: Offset });

export const DatabaseUser = z
  .object({
    id: z.string(),
    database: z.string(),
    username: z.string(),
    host: z.string(),
    created_at: z.string().datetime(),
  })
  .openapi('DatabaseUser');

export const Database = z
  .object({
    id: z.string(),
    name: z.string(),
    on_server: z.boolean().nullable().openapi({
      description:
        'Whether MariaDB has it now: false when it was dropped outside the panel, null when MariaDB could not be asked',
    }),
    users: z.array(DatabaseUser.omit({ database: true })),
    created_at: z.string().datetime(),
  })
  .openapi('Database');

export const DatabaseResponse = z.object({ database: Database }).openapi('DatabaseResponse');
export const DatabaseList = z
  .object({ databases: z.array(Database), total: z.number().int() })
  .openapi('DatabaseList');
export const DatabaseUserResponse = z.object({ user: DatabaseUser }).openapi('DatabaseUserResponse');
