import { z } from 'zod';
import type { AppError } from '../../../core/errors';
import '../../http/route';

/** billing.md wraps every answer as `{ success, data }`; an error keeps that shape with a message naming the field or reason. */
export const BillingError = z
  .object({
    success: z.literal(false),
    error: z.string().openapi({ example: 'email: must be a valid email address' }),
    code: z.string().optional(),
  })
  .openapi('Error');

export const billingError = (err: AppError) => ({ success: false as const, error: err.message, code: err.code });

/** The success envelope of billing.md. */
export const ok = <T>(data: T) => ({ success: true as const, data });
