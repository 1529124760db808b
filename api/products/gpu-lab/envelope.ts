import { z, type ZodTypeAny } from 'zod';
import type { AppError } from '../../../core/errors';
import '../../http/route';

/**
 * gpu-lab answers in the style of the Express APIs such labs run: `{ success, message, data }`;
 * an error is `{ success: false, message, field? }`, the message naming the field or the reason.
 */
export const LabError = z
  .object({
    success: z.literal(false),
    message: z.string().openapi({ example: 'email: must be an email address' }),
    code: z.string().openapi({ example: 'invalid_request' }),
    field: z.string().optional(),
  })
  .openapi('LabError');

export const labError = (err: AppError) => ({
  success: false,
  message: err.message,
  code: err.code,
  ...(err.field ? { field: err.field } : {}),
});

/** A success answer's schema around its data. */
export const ok = <T extends ZodTypeAny>(data: T) =>
  z.object({ success: z.literal(true), message: z.string(), data });

/** A success answer. */
export const answer = <T>(message: string, data: T) => ({ success: true as const, message, data });
