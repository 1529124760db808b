import type { Knex } from 'knex';
import { AppError, Forbidden } from '../../../core/errors';
import { METERED_STATUSES, type PlanTerms } from '../../../activities/billing/terms';

/** What a report counts: `tokens_used` adds tokens, `api_call` adds requests. */
export const EVENT_TYPES = ['api_call', 'tokens_used'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export interface UsageEvent {
  event_type: EventType;
  quantity: number;
  event_id?: string;
  endpoint?: string;
  metadata?: Record<string, unknown>;
  timestamp?: string;
}

/** billing.md's over-quota answer: `{ success: false, data: "Quota exceeded", quota_info }`, 429. */
export class QuotaExceeded extends AppError {
  constructor(readonly quotaInfo: Record<string, unknown>) {
    super('quota_exceeded', 429, 'Quota exceeded');
  }
}

export const noSubscription = () => new Forbidden('no active subscription: subscribe to a plan first');

/**
 * A statement error that is the event's own doing: a value Postgres refuses (class 22, data
 * exception, e.g. a counter pushed past bigint; class 23, integrity). Validation refuses what it
 * can foresee; this answers the rest 422 rather than 500.
 */
export const refusedValue = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown }).code));
export function unstorable(what: string, err: unknown) {
  const outOfRange = (err as { code?: unknown }).code === '22003';
  const why = outOfRange ? 'quantity out of range for its counter' : 'it holds a value the database refuses';
  return new AppError('unprocessable', 422, `${what} cannot be stored: ${why}`);
}

/**
 * Used and quota for one period, and what is left (0 at the least; a soft plan's excess is
 * overage): for showing. Whether usage is refused is not decided here: that is the quota rule,
 * billing.quota_refuses in Postgres (migrations/20261204000200_billing_quota_rule.ts), which the
 * counting trigger enforces and quota-check and batch-report ask; see docs/billing.md.
 */
export function standing(terms: PlanTerms, used: { tokens: number; requests: number }) {
  return {
    used,
    quota: { tokens: terms.quota_tokens, requests: terms.quota_requests },
    remaining: {
      tokens: Math.max(0, terms.quota_tokens - used.tokens),
      requests: Math.max(0, terms.quota_requests - used.requests),
    },
    overage: {
      tokens: Math.max(0, used.tokens - terms.quota_tokens),
      requests: Math.max(0, used.requests - terms.quota_requests),
    },
    soft_limit: terms.soft_limit,
  };
}

export type KeyRef = { keyId: string; customerId: string };
export type Used = { tokens: number; requests: number };
/** `metadata` is serialized by the report itself, so a failure to is its own and not its statement's. */
export type Report = { key: KeyRef; event: UsageEvent; metadata: string | null };
/** A report as written: stored (or a duplicate), when, and the period's terms and counter right after it. */
export type Written = { stored: boolean; at: string; terms: PlanTerms; used: Used };
/** A quota check's answer from the database: the period, and whether the rule refuses (or, soft, bills) what is needed. */
export type Standing = { terms: PlanTerms; used: Used; periodEnd: string; refused: boolean; over: boolean };

/** Which stored event a report names: its customer and event_id (undefined without one). */
export const eventKey = ({ key, event }: Report) =>
  event.event_id ? `${key.customerId}\n${event.event_id}` : undefined;

export const split = (e: Pick<UsageEvent, 'event_type' | 'quantity'>) =>
  e.event_type === 'tokens_used' ? { tokens: e.quantity, requests: 0 } : { tokens: 0, requests: e.quantity };

/** The customer's live (metered) subscription period and its terms; refused without one. */
export async function period(trx: Knex, customerId: string) {
  const sub = await trx('billing.subscriptions')
    .where({ customer_id: customerId })
    .whereIn('status', METERED_STATUSES)
    .first('id', 'current_period_start', 'current_period_end', 'period_terms');
  if (!sub) throw noSubscription();
  return {
    start: new Date(sub.current_period_start),
    end: new Date(sub.current_period_end),
    terms: sub.period_terms as PlanTerms,
  };
}

export async function used(trx: Knex, customerId: string, start: Date) {
  const row = await trx('billing.usage_counters')
    .where({ customer_id: customerId, period_start: start })
    .first('tokens', 'requests');
  return { tokens: Number(row?.tokens ?? 0), requests: Number(row?.requests ?? 0) };
}
