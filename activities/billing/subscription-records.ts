import type { Knex } from 'knex';
import { newId } from '../../core/ids';
import { creditBalance, planTerms, type PlanTerms } from './terms';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of billing tables
type Row = any;
export type LiveStatus = 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid';
export interface Period {
  start: string;
  end: string;
}
export interface LineItem {
  kind: 'plan' | 'overage' | 'proration' | 'credit';
  description: string;
  quantity?: number;
  amount_cents: number;
}

const subs = (db: Knex) => db('billing.subscriptions');
const iso = (d: Date | string) => new Date(d).toISOString();

/** The next gapless number of the year, in the caller's transaction. */
async function nextNumber(trx: Knex.Transaction): Promise<string> {
  const year = new Date().getUTCFullYear();
  const { rows } = await trx.raw(
    `insert into billing.invoice_sequences as s (year, last) values (?, 1) on conflict (year) do update set last = s.last + 1 returning last`,
    [year],
  );
  return `INV-${year}-${String(rows[0].last).padStart(6, '0')}`;
}

/**
 * An invoice with its lines; credits on the ledger pay what they can (the balance never goes below
 * zero) and what is left is the total. A total of zero is paid at once.
 */
export async function createInvoice(
  trx: Knex.Transaction,
  inv: { customerId: string; subscriptionId: string | null; kind: 'period' | 'proration'; currency: string; lines: LineItem[]; period?: Period },
): Promise<Row> {
  const subtotal = inv.lines.reduce((n, l) => n + l.amount_cents, 0);
  const balance = await creditBalance(trx, inv.customerId);
  const credits = Math.max(0, Math.min(balance, subtotal));
  const id = newId('inv');
  const lines = credits ? [...inv.lines, { kind: 'credit' as const, description: 'Account credit applied', amount_cents: -credits }] : inv.lines;
  const [row] = await trx('billing.invoices')
    .insert({
      id, number: await nextNumber(trx), customer_id: inv.customerId, subscription_id: inv.subscriptionId, kind: inv.kind, currency: inv.currency,
      status: subtotal - credits === 0 ? 'paid' : 'open', line_items: JSON.stringify(lines), subtotal_cents: subtotal, credits_applied_cents: credits,
      total_cents: subtotal - credits, period_start: inv.period?.start ?? null, period_end: inv.period?.end ?? null, paid_at: subtotal - credits === 0 ? trx.fn.now() : null,
    })
    .returning('*');
  if (credits) await trx('billing.credits').insert({ customer_id: inv.customerId, amount_cents: -credits, reason: `applied to ${row.number}`, invoice_id: id, actor: 'billing' });
  return row;
}

/** Overage lines of a soft-limit period: per started 1,000 tokens and per request over the quota. */
function overageLines(terms: PlanTerms, used: { tokens: number; requests: number }): LineItem[] {
  const lines: LineItem[] = [];
  const tokens = Math.max(0, used.tokens - terms.quota_tokens);
  const requests = Math.max(0, used.requests - terms.quota_requests);
  if (tokens && terms.overage_cents_per_1k_tokens) lines.push({ kind: 'overage', description: `Tokens over quota (${tokens})`, quantity: tokens, amount_cents: Math.ceil(tokens / 1000) * terms.overage_cents_per_1k_tokens });
  if (requests && terms.overage_cents_per_request) lines.push({ kind: 'overage', description: `Requests over quota (${requests})`, quantity: requests, amount_cents: requests * terms.overage_cents_per_request });
  return lines;
}

/**
 * The database side of a subscription's life: the row the API answers from, the invoices. Each
 * is idempotent for the workflow's retries (a second close finds the invoice the first made).
 */
export function createSubscriptionRecordActivities(deps: { db: Knex }) {
  const { db } = deps;

  return {
    async activateSubscription({ subscriptionId, paymentMethodId, periodMs }: { subscriptionId: string; paymentMethodId: string | null; periodMs: number }): Promise<Period> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        if (s.status !== 'incomplete') return { start: iso(s.current_period_start), end: iso(s.current_period_end) };
        const plan = await trx('billing.plans').where({ id: s.plan_id }).first();
        const start = new Date();
        const end = new Date(start.getTime() + periodMs);
        await subs(trx).where({ id: subscriptionId }).update({
          status: s.trial_end && new Date(s.trial_end) > start ? 'trialing' : 'active', current_period_start: start, current_period_end: end,
          period_terms: JSON.stringify(planTerms(plan)), payment_method_id: paymentMethodId ?? s.payment_method_id, updated_at: trx.fn.now(),
        });
        return { start: iso(start), end: iso(end) };
      });
    },

    async setSubscriptionStatus({ subscriptionId, status, reason }: { subscriptionId: string; status: LiveStatus; reason?: string }): Promise<void> {
      const ending = ['canceled', 'unpaid', 'incomplete_expired'].includes(status);
      await subs(db)
        .where({ id: subscriptionId })
        .update({ status, ...(ending && { canceled_at: db.fn.now(), ...(reason && { cancel_reason: reason }) }), updated_at: db.fn.now() });
    },

    /** Ends the period: an invoice for the plan's price, the period's overage and the credits it draws. */
    async closePeriod({ subscriptionId }: { subscriptionId: string }): Promise<{ invoiceId: string; totalCents: number; status: string }> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        const existing = await trx('billing.invoices').where({ subscription_id: subscriptionId, kind: 'period', period_start: s.current_period_start }).first();
        if (existing) return { invoiceId: existing.id, totalCents: existing.total_cents, status: existing.status };
        const terms = s.period_terms as PlanTerms;
        const counter = await trx('billing.usage_counters').where({ customer_id: s.customer_id, period_start: s.current_period_start }).first();
        const plan = await trx('billing.plans').where({ id: terms.plan_id }).first('name');
        const lines: LineItem[] = [
          { kind: 'plan', description: `${plan?.name ?? terms.plan_id} plan, ${iso(s.current_period_start).slice(0, 10)} – ${iso(s.current_period_end).slice(0, 10)}`, amount_cents: s.status === 'trialing' ? 0 : terms.price_cents },
          ...overageLines(terms, { tokens: Number(counter?.tokens ?? 0), requests: Number(counter?.requests ?? 0) }),
        ];
        const inv = await createInvoice(trx, {
          customerId: s.customer_id, subscriptionId, kind: 'period', currency: terms.currency, lines,
          period: { start: iso(s.current_period_start), end: iso(s.current_period_end) },
        });
        return { invoiceId: inv.id, totalCents: inv.total_cents, status: inv.status };
      });
    },

    /** The next period follows the last, on the plan's terms as they are now (a plan update lands here). */
    async startNextPeriod({ subscriptionId, periodMs }: { subscriptionId: string; periodMs: number }): Promise<Period> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        const plan = await trx('billing.plans').where({ id: s.plan_id }).first();
        const start = new Date(s.current_period_end);
        const end = new Date(Math.max(start.getTime(), Date.now()) + periodMs);
        const trialing = s.trial_end && new Date(s.trial_end) > start;
        await subs(trx).where({ id: subscriptionId }).update({ status: trialing ? 'trialing' : 'active', current_period_start: start, current_period_end: end, period_terms: JSON.stringify(planTerms(plan)), updated_at: trx.fn.now() });
        return { start: iso(start), end: iso(end) };
      });
    },

    async markInvoice({ invoiceId, outcome, reason }: { invoiceId: string; outcome: 'paid' | 'failed'; reason?: string }): Promise<void> {
      await db('billing.invoices')
        .where({ id: invoiceId })
        .whereNot({ status: 'paid' })
        .update(outcome === 'paid' ? { status: 'paid', paid_at: db.fn.now(), failure_reason: null, updated_at: db.fn.now() } : { status: 'failed', failure_reason: reason ?? 'payment failed', updated_at: db.fn.now() });
    },

    async invoiceStatus({ invoiceId }: { invoiceId: string }): Promise<string> {
      return (await db('billing.invoices').where({ id: invoiceId }).first('status')).status;
    },

    async setCancel({ subscriptionId, atPeriodEnd, reason }: { subscriptionId: string; atPeriodEnd: boolean; reason?: string }) {
      const [row] = await subs(db)
        .where({ id: subscriptionId })
        .update({ cancel_at_period_end: atPeriodEnd, canceled_at: atPeriodEnd ? db.fn.now() : null, cancel_reason: atPeriodEnd ? (reason ?? null) : null, updated_at: db.fn.now() })
        .returning('*');
      return { canceled_at: row.canceled_at ? iso(row.canceled_at) : null, cancel_at_period_end: row.cancel_at_period_end as boolean };
    },

    /**
     * A plan change now: with proration, the rest of the period is charged at the new price minus
     * the old (an invoice for a rise, a credit for a fall); the current period's quotas follow the
     * new plan at once.
     */
    async changePlan({ subscriptionId, planId, prorate }: { subscriptionId: string; planId: string; prorate: boolean }): Promise<{ invoiceId: string | null; creditCents: number }> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        const plan = await trx('billing.plans').where({ id: planId }).first();
        const old = s.period_terms as PlanTerms;
        const start = new Date(s.current_period_start).getTime();
        const end = new Date(s.current_period_end).getTime();
        const left = Math.max(0, Math.min(1, (end - Date.now()) / (end - start)));
        const difference = Math.round((plan.price_cents - old.price_cents) * left);
        await subs(trx).where({ id: subscriptionId }).update({ plan_id: planId, period_terms: JSON.stringify({ ...planTerms(plan), price_cents: old.price_cents }), updated_at: trx.fn.now() });
        if (!prorate || difference === 0) return { invoiceId: null, creditCents: 0 };
        if (difference < 0) {
          await trx('billing.credits').insert({ customer_id: s.customer_id, amount_cents: -difference, reason: `proration: ${old.plan_id} → ${planId}`, actor: 'billing' });
          return { invoiceId: null, creditCents: -difference };
        }
        const inv = await createInvoice(trx, {
          customerId: s.customer_id, subscriptionId, kind: 'proration', currency: plan.currency,
          lines: [{ kind: 'proration', description: `Change to ${plan.name} for the rest of the period (${Math.round(left * 100)} %)`, amount_cents: difference }],
        });
        return { invoiceId: inv.id as string, creditCents: 0 };
      });
    },

    async setPaymentMethod({ subscriptionId, paymentMethodId }: { subscriptionId: string; paymentMethodId: string }): Promise<void> {
      await subs(db).where({ id: subscriptionId }).update({ payment_method_id: paymentMethodId, updated_at: db.fn.now() });
    },

    /** An admin's word: plan (from the next period), status, and a longer trial (which moves the period end). */
    async adminOverride({ subscriptionId, planId, status, extendTrialDays }: { subscriptionId: string; planId?: string; status?: LiveStatus; extendTrialDays?: number }): Promise<Period> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        const patch: Record<string, unknown> = { updated_at: trx.fn.now() };
        if (planId) patch.plan_id = planId;
        if (status) patch.status = status;
        let end = new Date(s.current_period_end);
        if (extendTrialDays) {
          const base = Math.max(s.trial_end ? new Date(s.trial_end).getTime() : 0, Date.now());
          patch.trial_end = new Date(base + extendTrialDays * 86_400_000);
          end = new Date(Math.max(end.getTime(), (patch.trial_end as Date).getTime()));
          patch.current_period_end = end;
          patch.status = status ?? 'trialing';
        }
        await subs(trx).where({ id: subscriptionId }).update(patch);
        return { start: iso(s.current_period_start), end: iso(end) };
      });
    },
  };
}
export type SubscriptionRecordActivities = ReturnType<typeof createSubscriptionRecordActivities>;
