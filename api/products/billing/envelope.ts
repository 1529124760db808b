import { z } from 'zod';
import type { AppError } from '../../../core/errors';
import '../../http/route';

/**
 * billing.md wraps every answer as `{ success, data }`; its one failure example (over quota) is
 * `{ success: false, data: "Quota exceeded" }`, so an error puts its message (naming the field or
 * reason) in `data`, with a machine-readable `code` beside it.
 */
export const BillingError = z
  .object({
    success: z.literal(false),
    data: z.string().openapi({ example: 'email: must be a valid email address' }),
    code: z.string().optional(),
    quota_info: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'Over quota (429): used, quota, remaining and what was asked' }),
  })
  .openapi('Error');

/** A success answer's schema around its data. */
export const okSchema = <T extends z.ZodTypeAny>(name: string, data: T) =>
  z.object({ success: z.literal(true), data }).openapi(name);

export const billingError = (err: AppError) => ({
  success: false as const,
  data: err.message,
  code: err.code,
  // The over-quota answer carries what is used, allowed and left.
  ...('quotaInfo' in err && { quota_info: err.quotaInfo }),
});

/** The success envelope of billing.md. */
export const ok = <T>(data: T) => ({ success: true as const, data });
