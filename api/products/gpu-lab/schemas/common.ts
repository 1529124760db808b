import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { ok } from '../envelope';

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .email('must be an email address')
  .openapi({ example: 'peneliti@kampus.ac.id' });

export const LabUser = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(['researcher', 'admin']),
    createdAt: z.string().datetime(),
  })
  .openapi('LabUser');

export const UserAnswer = ok(z.object({ user: LabUser })).openapi('UserAnswer');

export const ContainerName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'must be letters, digits, _ . - (not first), at most 128');
export const ContainerNameParams = z.strictObject({ containerName: ContainerName });
export const Deleted = ok(z.object({ deleted: z.string() })).openapi('Deleted');
