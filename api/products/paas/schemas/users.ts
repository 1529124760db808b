import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';
import { Email, PersonName, Role, User } from './common';

export const UpdateMeBody = z
  .strictObject({
    first_name: PersonName.optional(),
    last_name: PersonName.optional(),
    email: Email.optional(),
  })
  .openapi('UpdateMeRequest');

export const UpdatedMe = User.omit({ tenant_id: true, created_at: true }).openapi('UpdatedUser');

export const ListQuery = z.strictObject({
  limit: wholeNumberParam('integer').min(1, 'must be at least 1').max(100, 'must be at most 100').default(10),
  offset: wholeNumberParam('integer').min(0, 'must be at least 0').default(0),
});

export const UserList = z
  .object({
    users: z.array(User),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .openapi('UserList');

export const RoleBody = z.strictObject({ role: Role }).openapi('RoleRequest');
