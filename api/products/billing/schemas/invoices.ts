import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';
import { okSchema } from '../envelope';
import { Id } from './common';

export const InvoiceIdParams = z.strictObject({ id: Id('inv') });
export const InvoicesQuery = z.strictObject({
  status: z.enum(['draft', 'open', 'paid', 'failed', 'void']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
const InvoiceSummary = z
  .object({
    id: z.string(),
    invoice_number: z.string(),
    total_cents: z.number(),
    currency: z.string(),
    status: z.string(),
    kind: z.string(),
    created_at: z.string(),
  })
  .openapi('InvoiceSummary');
export const InvoiceList = okSchema('InvoiceList', z.array(InvoiceSummary));
export const InvoiceDetail = okSchema(
  'InvoiceDetail',
  InvoiceSummary.extend({
    line_items: z.array(
      z.object({
        kind: z.string(),
        description: z.string(),
        quantity: z.number().optional(),
        amount_cents: z.number(),
      }),
    ),
    subtotal_cents: z.number(),
    credits_applied_cents: z.number(),
    period_start: z.string().nullable(),
    period_end: z.string().nullable(),
    paid_at: z.string().nullable(),
    failure_reason: z.string().nullable(),
    pdf_url: z.string(),
  }),
);
export const PayAnswer = okSchema('PayInvoice', z.object({ payment_intent_url: z.string().nullable() }));
export const FailedInvoices = okSchema(
  'FailedInvoices',
  z.array(
    z
      .object({
        invoice_id: z.string(),
        customer: z.object({ id: z.string(), name: z.string(), email: z.string() }),
        amount: z.number(),
        failure_reason: z.string().nullable(),
      })
      .passthrough(),
  ),
);
export const RefusedPayments = okSchema(
  'RefusedPayments',
  z.array(
    z.object({
      invoice_id: z.string(),
      customer_id: z.string().nullable(),
      provider: z.string(),
      event_id: z.string().nullable(),
      reason: z.string().nullable(),
      received_at: z.string(),
    }),
  ),
);
export const Overview = okSchema(
  'AnalyticsOverview',
  z
    .object({ total_revenue: z.number(), active_subscriptions: z.number(), churn_rate: z.number() })
    .passthrough(),
);

export { AnalyticsQuery } from './common';
