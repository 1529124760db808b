import type { Knex } from 'knex';
import type { PlanRow } from '../../types/billing';

/**
 * What billing's API and its workflow activities agree on: the plan terms a period bills by, which
 * subscription statuses count usage, and the credit balance.
 */

/** Statuses of a subscription whose period meters usage; `incomplete` (checkout pending) is live but meters nothing. */
export const METERED_STATUSES = ['trialing', 'active', 'past_due'];
export const LIVE_STATUSES = ['incomplete', ...METERED_STATUSES];

/** The plan terms a subscription period bills by, fixed when the period starts. */
export const planTerms = (p: PlanRow) => ({
  plan_id: p.id,
  price_cents: p.price_cents,
  currency: p.currency,
  period_days: p.period_days,
  quota_tokens: Number(p.quota_tokens),
  quota_requests: Number(p.quota_requests),
  soft_limit: p.soft_limit,
  overage_cents_per_1k_tokens: p.overage_cents_per_1k_tokens,
  overage_cents_per_request: p.overage_cents_per_request,
});
export type PlanTerms = ReturnType<typeof planTerms>;

/** The sum of the customer's credit ledger (grants positive, what invoices drew negative). */
export const creditBalance = async (db: Knex, customerId: string) =>
  Number(
    (await db('billing.credits').where({ customer_id: customerId }).sum('amount_cents as n').first())?.n ?? 0,
  );
