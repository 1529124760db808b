import { z, type ZodTypeAny } from 'zod';
import type { AppError } from '../../../core/errors';
import '../../http/route';

/**
 * academy.md wraps every answer as `{ success, statusCode, message, data, errors }` (lists add
 * `pagination` before `errors`). The document shows no failure; ours keeps the same keys:
 * `data: null` and `errors` listing what was wrong, each naming its field when one is at fault
 * (`field: null` for a refusal about the request as a whole: no token, not found, too many tries).
 */
export const AcademyError = z
  .object({
    success: z.literal(false),
    statusCode: z.number().int(),
    message: z.string().openapi({ example: 'email: is already registered' }),
    data: z.null(),
    errors: z.array(
      z.object({
        field: z.string().nullable().openapi({ example: 'email' }),
        message: z.string().openapi({ example: 'is already registered' }),
        code: z.string().openapi({ example: 'conflict' }),
      }),
    ),
  })
  .openapi('AcademyError');

export const academyError = (err: AppError) => {
  const field = err.field ?? null;
  const prefix = field ? `${field}: ` : '';
  return {
    success: false as const,
    statusCode: err.status,
    message: err.message,
    data: null,
    errors: [
      {
        field,
        message: prefix && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message,
        code: err.code,
      },
    ],
  };
};

/** The pagination object of academy.md's lists. */
export interface Pagination {
  currentRecords: number;
  totalRecords: number;
  currentPage: number;
  totalPages: number;
  nextPage: number | null;
  prevPage: number | null;
}

export const PaginationSchema = z
  .object({
    currentRecords: z.number().int(),
    totalRecords: z.number().int(),
    currentPage: z.number().int(),
    totalPages: z.number().int(),
    nextPage: z.number().int().nullable(),
    prevPage: z.number().int().nullable(),
  })
  .openapi('Pagination');

/** The pagination of one page of `limit` rows out of `total` (an empty list has 0 pages). */
export function pagination(page: number, limit: number, total: number, current: number): Pagination {
  const totalPages = Math.ceil(total / limit);
  return {
    currentRecords: current,
    totalRecords: total,
    currentPage: page,
    totalPages,
    nextPage: page < totalPages ? page + 1 : null,
    prevPage: page > 1 ? Math.min(page - 1, Math.max(totalPages, 1)) : null,
  };
}

/** A success answer: `status` is echoed as `statusCode` (the route sets the HTTP status). */
export const answer = <T>(message: string, data: T, statusCode = 200) => ({
  success: true as const,
  statusCode,
  message,
  data,
  errors: null,
});

/** A list answer: its page of rows under `data` and the pagination object. */
export const listAnswer = <T>(message: string, data: T, page: Pagination) => ({
  success: true as const,
  statusCode: 200,
  message,
  data,
  pagination: page,
  errors: null,
});

/** A success answer's schema around its data (null for answers without data). */
export const ok = <T extends ZodTypeAny>(data: T) =>
  z.object({
    success: z.literal(true),
    statusCode: z.number().int(),
    message: z.string(),
    data,
    errors: z.null(),
  });

/** A list answer's schema. */
export const okList = <T extends ZodTypeAny>(data: T) =>
  z.object({
    success: z.literal(true),
    statusCode: z.number().int(),
    message: z.string(),
    data,
    pagination: PaginationSchema,
    errors: z.null(),
  });
