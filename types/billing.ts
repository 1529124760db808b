// Rule: a product's workflow input/output and signal/update payload types live here, in types/<product>.ts: type declarations only (no runtime code), imported by workflows, activities and api alike, so activities never import from workflows/.
import type { Period } from '../activities/billing/invoice-records';

/**
 * billing reaches its tables with knex and, on the usage hot path, a raw pg pool (usage.ts): so
 * its rows are typed as these plain interfaces, one per table, the same for both. No objection
 * models here (panel and gpu-lab use those): one style per product. Columns as pg returns them:
 * bigint as string, timestamptz as Date, jsonb parsed.
 */

export type BillingRole = 'customer' | 'admin';

export interface CustomerRow {
  id: string;
  name: string;
  email: string;
  company: string | null;
  password_hash: string;
  role: BillingRole;
  stripe_customer_id: string | null;
  password_changed_at: Date;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface PlanRow {
  id: string;
  name: string;
  description: string | null;
  price_cents: number;
  currency: string;
  period_days: number;
  /** bigint */
  quota_tokens: string;
  /** bigint */
  quota_requests: string;
  soft_limit: boolean;
  overage_cents_per_1k_tokens: number;
  overage_cents_per_request: number;
  features: Record<string, unknown>;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface SubscriptionRow {
  id: string;
  customer_id: string;
  plan_id: string;
  status: string;
  current_period_start: Date;
  current_period_end: Date;
  /** The plan's terms as they were when the period started (PlanTerms). */
  period_terms: Record<string, unknown>;
  cancel_at_period_end: boolean;
  canceled_at: Date | null;
  cancel_reason: string | null;
  trial_end: Date | null;
  payment_method_id: string | null;
  stripe_subscription_id: string | null;
  checkout_session_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ApiKeyRow {
  id: string;
  customer_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  rotated_at: Date | null;
  created_at: Date;
}

export interface InvoiceRow {
  id: string;
  number: string;
  customer_id: string;
  subscription_id: string | null;
  kind: 'period' | 'proration';
  status: string;
  currency: string;
  line_items: { description: string; amount_cents: number; [k: string]: unknown }[];
  subtotal_cents: number;
  credits_applied_cents: number;
  total_cents: number;
  period_start: Date | null;
  period_end: Date | null;
  payment_intent_id: string | null;
  checkout_session_id: string | null;
  attempts: number;
  failure_reason: string | null;
  paid_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The subscription workflow's input (workflows/billing/subscription.ts). */
export interface SubscriptionInput {
  subscriptionId: string;
  /** Length of a period (the plan's days, or shorter where configured, e.g. in tests). */
  periodMs: number;
  /** Waits between a failed charge and the next attempt; when they run out the subscription ends. */
  dunningMs: number[];
  /** What a subscription becomes when dunning runs out. */
  afterDunning: 'canceled' | 'unpaid';
  /** How long a charge's outcome (a webhook) is awaited before it counts as failed. */
  paymentWaitMs: number;
  /** How long checkout may take before the subscription expires unpaid. */
  checkoutTimeoutMs: number;
  /** Continued runs start in a period; the first waits for checkout. */
  period?: Period;
}
