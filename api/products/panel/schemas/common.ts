import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';

/** A DNS hostname with at least two labels, lowercased: what nginx will match in server_name. */
export const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]{2,63}(?<!-)$/,
    'must be a valid hostname such as example.com',
  )
  .openapi({ example: 'example.com' });

export const IdParam = (name: string, prefix: string) =>
  z.strictObject({
    [name]: z.string().regex(new RegExp(`^${prefix}_[a-z0-9]{10,40}$`), `must be a ${prefix}_ id`),
  });

export const Limit = z.coerce.number().int().min(1).max(200).default(50);
export const Offset = wholeNumberParam('bigint').min(0).default(0);

export const User = z
  .object({ id: z.string(), username: z.string(), role: z.enum(['admin', 'viewer']) })
  .openapi('User');
