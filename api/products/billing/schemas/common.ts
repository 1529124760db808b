import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { okSchema } from '../envelope';

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .email('must be a valid email address')
  .openapi({ example: 'john@example.com' });
export const Id = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[a-z0-9]{10,40}$`), `must be a ${prefix}_ id`);
export const Message = okSchema('Message', z.string());
export const Customer = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    company: z.string().nullable(),
    role: z.enum(['customer', 'admin']),
    created_at: z.string(),
  })
  .openapi('Customer');
export const Plan = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    price_cents: z.number(),
    currency: z.string(),
    period_days: z.number(),
    quota_tokens: z.number(),
    quota_requests: z.number(),
    soft_limit: z.boolean(),
    overage_cents_per_1k_tokens: z.number(),
    overage_cents_per_request: z.number(),
    features: z.record(z.string(), z.unknown()),
    is_active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Plan');

export const CustomerIdParams = z.strictObject({ id: Id('cus') });
export const AnalyticsQuery = z.strictObject({
  period: z.enum(['last_7_days', 'last_30_days', 'last_90_days', 'all_time']).default('last_30_days'),
});
