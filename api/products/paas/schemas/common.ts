import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod

/** A path id: a UUID (anything else is 400, never a database error). */
export const Uuid = z.uuid('must be a UUID').openapi({ example: '770e8400-e29b-41d4-a716-446655440000' });
export const IdParams = z.strictObject({ id: Uuid });

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .email('must be an email address')
  .openapi({ example: 'john@example.com' });

export const Username = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_.-]{3,50}$/, 'must be 3-50 letters, digits, _ . -')
  .openapi({ example: 'john_doe' });

export const PersonName = z.string().trim().max(100, 'must be at most 100 characters');

export const Role = z.enum(['user', 'tenant_admin', 'admin']);

const timestamps = { created_at: z.string(), updated_at: z.string() };

/** A user as /users/me and /admin/users show it. */
export const User = z
  .object({
    id: z.string(),
    username: z.string(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    role: Role,
    is_active: z.boolean(),
    tenant_id: z.string(),
    ...timestamps,
  })
  .openapi('User');
