import { z } from 'zod';
import { ok, okList } from '../envelope';
import { Email, FullName, PageQuery, Password, Search } from './common';

export const Role = z.enum(['Admin', 'User']);
export const MemberLevel = z.enum(['Basic', 'Premium']);

export const AcademyUser = z
  .object({
    id: z.number().int(),
    email: z.string(),
    fullName: z.string(),
    memberLevel: MemberLevel,
    role: Role,
    isActive: z.boolean(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('AcademyUser');

const Flag = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

export const UserListQuery = z
  .object({
    ...PageQuery,
    search: Search.openapi({ description: 'Part of the full name or email' }),
    role: Role.optional(),
    memberLevel: MemberLevel.optional(),
    isActive: Flag.optional(),
  })
  .openapi('AcademyUserListQuery');

export const CreateUserBody = z
  .strictObject({
    email: Email,
    password: Password,
    fullName: FullName,
    memberLevel: MemberLevel.optional(),
    role: Role.optional(),
  })
  .openapi('AcademyCreateUserBody');

export const UpdateUserBody = z
  .strictObject({
    fullName: FullName.optional(),
    email: Email.optional(),
    password: Password.optional().openapi({
      description: 'A new password; changing your own takes currentPassword too',
    }),
    currentPassword: Password.optional(),
    memberLevel: MemberLevel.optional().openapi({ description: 'Admins only' }),
    role: Role.optional().openapi({ description: 'Admins only' }),
    isActive: z.boolean().optional().openapi({ description: 'Admins only; false ends the sessions' }),
  })
  .openapi('AcademyUpdateUserBody');

export const UserAnswer = ok(z.object({ user: AcademyUser })).openapi('AcademyUserAnswer');
export const UserListAnswer = okList(z.object({ users: z.array(AcademyUser) })).openapi('AcademyUserList');
