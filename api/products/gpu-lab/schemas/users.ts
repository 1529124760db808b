import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';
import { ok } from '../envelope';
import { Email, LabUser } from './common';

export const UserIdParams = z.strictObject({
  id: z.string().regex(/^usr_[a-z0-9]{10,40}$/, 'must be a usr_ id'),
});
export const ListUsersQuery = z.strictObject({
  search: z.string().trim().max(100).optional().openapi({ description: 'Part of a name or email' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
export const UpdateUserBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    email: Email.optional(),
    role: z.enum(['researcher', 'admin']).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of name, email, role')
  .openapi('UpdateUserRequest');
export const UserList = ok(z.object({ users: z.array(LabUser), total: z.number().int() })).openapi(
  'UserList',
);
export const Dropdown = ok(
  z.object({ users: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })) }),
).openapi('UserDropdown');

export { UserAnswer, Deleted } from './common';
