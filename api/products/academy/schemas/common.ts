import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { COLUMN_MAX, wholeNumberParam } from '../../../http/whole-number';
import { ok } from '../envelope';

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .email('must be an email address')
  .openapi({ example: 'johndoe@mail.com' });

/** A password as given; its strength is checked by the service (it knows the email). */
export const Password = z.string().min(1, 'is required').max(256, 'must be at most 256 characters');

export const FullName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

/** An integer id in the path: anything else is 400 naming the parameter. */
export const Id = z
  .string()
  .regex(/^[0-9]{1,10}$/, 'must be a positive whole number')
  .transform(Number)
  .pipe(
    z
      .number()
      .min(1, 'must be a positive whole number')
      .max(COLUMN_MAX.integer, `must be at most ${COLUMN_MAX.integer}`),
  );

/** Whether a path's id is one the Id schema takes (the Self guard leaves the others to it: 400). */
export const isId = (value: string) =>
  /^[0-9]{1,10}$/.test(value) && Number(value) >= 1 && Number(value) <= COLUMN_MAX.integer;

export const UserIdParams = z.strictObject({ userId: Id.openapi({ example: 1 }) });

/** `page` (from 1) and `limit` (1–100, default 10) of a list. */
export const PageQuery = {
  page: wholeNumberParam('integer', 'must be a whole number')
    .pipe(z.number().min(1, 'must be at least 1'))
    .default(1)
    .openapi({ example: 1 }),
  limit: wholeNumberParam('integer', 'must be a whole number')
    .pipe(z.number().min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .default(10)
    .openapi({ example: 10 }),
};

/** Free-text search of a list (case-insensitive, anywhere in the named fields). */
export const Search = z.string().trim().max(100, 'must be at most 100 characters').optional();

export const Empty = ok(z.null()).openapi('Empty');
