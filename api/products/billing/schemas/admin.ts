import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumber, wholeNumberParam } from '../../../http/whole-number';
import { okSchema } from '../envelope';
import { Customer } from './common';

export const CustomersQuery = z.strictObject({
  search: z.string().trim().max(254).optional(),
  status: z.enum(['active', 'deleted', 'trialing', 'past_due', 'canceled', 'none']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
export const CreditBody = z
  .strictObject({
    amount_cents: wholeNumber('integer', 'must be a whole number of cents').positive('must be positive'),
    reason: z.string().trim().min(1, 'is required').max(500),
  })
  .openapi('CreditRequest');
export const CreditAnswer = okSchema(
  'CreditApplied',
  z.object({ credit_applied: z.number(), new_balance: z.number() }),
);
export const CustomerList = okSchema(
  'CustomerList',
  z.object({ customers: z.array(z.unknown()), total: z.number().int(), page: z.number().int() }),
);
export const CustomerDetail = okSchema(
  'CustomerDetail',
  z.object({
    customer: Customer,
    subscription: z.unknown().nullable(),
    usage_stats: z.unknown(),
    credit_balance_cents: z.number(),
  }),
);
export const UsageAnalytics = okSchema(
  'UsageAnalytics',
  z.object({
    total_requests: z.number(),
    total_tokens: z.number(),
    customers_with_usage: z.number(),
    avg_requests_per_customer: z.number(),
  }),
);

export { CustomerIdParams, AnalyticsQuery } from './common';
