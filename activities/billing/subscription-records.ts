import type { Knex } from 'knex';
import { changeRate, startCharges } from './proration';
import { METERED_STATUSES, planTerms } from './terms';
import {
  createInvoice,
  createInvoiceRecordActivities,
  overageLines,
  planLines,
  type LineItem,
  type Period,
  type PeriodTerms,
} from './invoice-records';

export type { Period } from './invoice-records';
export type LiveStatus =
  'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid';
const subs = (db: Knex) => db('billing.subscriptions');
const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * The database side of a subscription's life: the row the API answers from, and its periods (a
 * closing period makes its invoice through ./invoice-records.ts, whose activities are served here
 * too). Each is idempotent for the workflow's retries (a second close finds the invoice the first made).
 */
export function createSubscriptionRecordActivities(deps: { db: Knex }) {
  const { db } = deps;

  return {
    async activateSubscription({
      subscriptionId,
      paymentMethodId,
      periodMs,
    }: {
      subscriptionId: string;
      paymentMethodId: string | null;
      periodMs: number;
    }): Promise<Period> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        if (s.status !== 'incomplete')
          return { start: iso(s.current_period_start), end: iso(s.current_period_end) };
        const plan = await trx('billing.plans').where({ id: s.plan_id }).first();
        const start = new Date();
        const end = new Date(start.getTime() + periodMs);
        await subs(trx)
          .where({ id: subscriptionId })
          .update({
            status: s.trial_end && new Date(s.trial_end) > start ? 'trialing' : 'active',
            current_period_start: start,
            current_period_end: end,
            period_terms: JSON.stringify(planTerms(plan)),
            payment_method_id: paymentMethodId ?? s.payment_method_id,
            updated_at: trx.fn.now(),
          });
        return { start: iso(start), end: iso(end) };
      });
    },

    async setSubscriptionStatus({
      subscriptionId,
      status,
      reason,
    }: {
      subscriptionId: string;
      status: LiveStatus;
      reason?: string;
    }): Promise<void> {
      const ending = ['canceled', 'unpaid', 'incomplete_expired'].includes(status);
      await subs(db)
        .where({ id: subscriptionId })
        .update({
          status,
          ...(ending && { canceled_at: db.fn.now(), ...(reason && { cancel_reason: reason }) }),
          updated_at: db.fn.now(),
        });
    },

    /**
     * Ends the period at its time, paid or not: its invoice (the plan charge, the period's overage,
     * the credits it draws) and, in the same transaction, the next period on the plan's current
     * terms, so usage reported from now on counts there. A subscription set to cancel at period end
     * (the row says, as a cancel or reactivate wrote it) ends instead; one no longer metered
     * (dunning ended it) is left as it is. A retry finds what the first call did: the period is
     * named by its start. A period whose end moved later (an admin's trial extension the caller
     * did not see) is not closed: `later` gives its dates.
     */
    async closePeriod({
      subscriptionId,
      period,
      periodMs,
    }: {
      subscriptionId: string;
      period: Period;
      periodMs: number;
    }): Promise<{
      invoice: { invoiceId: string; totalCents: number; status: string } | null;
      next: Period | null;
      ended: LiveStatus | null;
      later?: Period;
    }> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        const current = { start: iso(s.current_period_start), end: iso(s.current_period_end) };
        const metered = METERED_STATUSES.includes(s.status);
        if (current.start !== period.start) {
          const done = await trx('billing.invoices')
            .where({ subscription_id: subscriptionId, kind: 'period', period_start: period.start })
            .first();
          const invoice = done
            ? { invoiceId: done.id, totalCents: done.total_cents, status: done.status }
            : null;
          return { invoice, next: metered ? current : null, ended: metered ? null : s.status };
        }
        if (!metered) return { invoice: null, next: null, ended: s.status };
        if (Date.parse(current.end) > Date.parse(period.end))
          return { invoice: null, next: null, ended: null, later: current };

        const terms = s.period_terms as PeriodTerms;
        // Locked, so a report that already counted into it is in before it is read.
        const counter = await trx('billing.usage_counters')
          .where({ customer_id: s.customer_id, period_start: s.current_period_start })
          .forUpdate()
          .first();
        const plan = await trx('billing.plans').where({ id: terms.plan_id }).first('name');
        const lines: LineItem[] = [
          ...(await planLines(trx, s, terms, current, plan?.name ?? terms.plan_id)),
          ...overageLines(terms, {
            tokens: Number(counter?.tokens ?? 0),
            requests: Number(counter?.requests ?? 0),
          }),
        ];
        const inv = await createInvoice(trx, {
          customerId: s.customer_id,
          subscriptionId,
          kind: 'period',
          currency: terms.currency,
          lines,
          period: current,
        });
        const invoice = {
          invoiceId: inv.id as string,
          totalCents: inv.total_cents as number,
          status: inv.status as string,
        };
        if (s.cancel_at_period_end) {
          await subs(trx).where({ id: subscriptionId }).update({
            status: 'canceled',
            canceled_at: trx.fn.now(),
            cancel_reason: 'canceled at period end',
            updated_at: trx.fn.now(),
          });
          return { invoice, next: null, ended: 'canceled' as const };
        }
        const next = await trx('billing.plans').where({ id: s.plan_id }).first();
        const start = new Date(s.current_period_end);
        const end = new Date(start.getTime() + periodMs);
        // An unpaid invoice keeps the subscription past_due into the next period; its collection
        // says when it is paid.
        const status =
          s.trial_end && new Date(s.trial_end) > start
            ? 'trialing'
            : s.status === 'past_due'
              ? 'past_due'
              : 'active';
        await subs(trx)
          .where({ id: subscriptionId })
          .update({
            status,
            current_period_start: start,
            current_period_end: end,
            period_terms: JSON.stringify(planTerms(next)),
            updated_at: trx.fn.now(),
          });
        return { invoice, next: { start: iso(start), end: iso(end) }, ended: null };
      });
    },

    async setCancel({
      subscriptionId,
      atPeriodEnd,
      reason,
    }: {
      subscriptionId: string;
      atPeriodEnd: boolean;
      reason?: string;
    }) {
      const [row] = await subs(db)
        .where({ id: subscriptionId })
        .update({
          cancel_at_period_end: atPeriodEnd,
          canceled_at: atPeriodEnd ? db.fn.now() : null,
          cancel_reason: atPeriodEnd ? (reason ?? null) : null,
          updated_at: db.fn.now(),
        })
        .returning('*');
      return {
        canceled_at: row.canceled_at ? iso(row.canceled_at) : null,
        cancel_at_period_end: row.cancel_at_period_end as boolean,
      };
    },

    /**
     * A plan change now; the period's quotas follow the new plan at once. With proration (not in a
     * trial, which is not charged) the change is computed from the period's record of charges
     * (./proration.ts): a rise invoices the rest of the period at the difference now, a fall takes
     * it off what the period invoice will bill (`creditCents`). Without, the period is billed as it
     * was and the new price starts with the next period.
     */
    async changePlan({
      subscriptionId,
      planId,
      prorate,
    }: {
      subscriptionId: string;
      planId: string;
      prorate: boolean;
    }): Promise<{ invoiceId: string | null; creditCents: number; collect: boolean }> {
      return db.transaction(async (trx) => {
        const s = await subs(trx).where({ id: subscriptionId }).forUpdate().first();
        const plan = await trx('billing.plans').where({ id: planId }).first();
        const old = s.period_terms as PeriodTerms;
        const period = { start: iso(s.current_period_start), end: iso(s.current_period_end) };
        let charges = old.charges;
        let change = { left: 0, difference: 0 };
        if (prorate && s.status !== 'trialing') {
          ({ charges, ...change } = changeRate(
            old.charges ?? startCharges(old.price_cents, period),
            period,
            Date.now(),
            plan.price_cents,
          ));
        }
        const terms: PeriodTerms = {
          ...planTerms(plan),
          price_cents: old.price_cents,
          ...(charges && { charges }),
        };
        await subs(trx)
          .where({ id: subscriptionId })
          .update({ plan_id: planId, period_terms: JSON.stringify(terms), updated_at: trx.fn.now() });
        if (change.difference <= 0)
          return { invoiceId: null, creditCents: -change.difference, collect: false };
        const percent = Math.round(change.left * 100);
        const inv = await createInvoice(trx, {
          customerId: s.customer_id,
          subscriptionId,
          kind: 'proration',
          currency: plan.currency,
          period,
          lines: [
            {
              kind: 'proration',
              description: `Change to ${plan.name} for the rest of the period (${percent} %)`,
              amount_cents: change.difference,
            },
          ],
        });
        return { invoiceId: inv.id as string, creditCents: 0, collect: inv.status === 'open' };
      });
    },

    /**
     * The subscription's status as an invoice's collection goes: `past_due` while a charge fails,
     * back to active (or trialing) once no invoice of it is failed, and `afterDunning` when the last
     * retry failed. Only a live subscription changes (one already canceled stays so); the
     * status it took is returned, null when it did not change.
     */
    async collectionStatus({
      subscriptionId,
      outcome,
      afterDunning,
    }: {
      subscriptionId: string;
      outcome: 'failing' | 'paid' | 'exhausted';
      afterDunning: LiveStatus;
    }): Promise<LiveStatus | null> {
      const live = subs(db).where({ id: subscriptionId }).whereIn('status', METERED_STATUSES);
      if (outcome === 'failing')
        return (await live.update({ status: 'past_due', updated_at: db.fn.now() })) ? 'past_due' : null;
      if (outcome === 'exhausted') {
        const n = await live.update({
          status: afterDunning,
          canceled_at: db.fn.now(),
          cancel_reason: 'payment failed after every retry',
          updated_at: db.fn.now(),
        });
        return n ? afterDunning : null;
      }
      const [row] = await subs(db)
        .where({ id: subscriptionId, status: 'past_due' })
        .whereNotExists(db('billing.invoices').where({ subscription_id: subscriptionId, status: 'failed' }))
        .update({
          status: db.raw(`case when trial_end > now() then 'trialing' else 'active' end`),
          updated_at: db.fn.now(),
        })
        .returning('status');
      return row?.status ?? null;
    },

    async setPaymentMethod({
      subscriptionId,
      paymentMethodId,
    }: {
      subscriptionId: string;
      paymentMethodId: string;
    }): Promise<void> {
      await subs(db)
        .where({ id: subscriptionId })
        .update({ payment_method_id: paymentMethodId, updated_at: db.fn.now() });
    },

    /** An admin's word: plan (from the next period), status, and a longer trial (which moves the period end). */
    async adminOverride({
      subscriptionId,
      planId,
      status,
      extendTrialDays,
    }: {
      subscriptionId: string;
      planId?: string;
      status?: LiveStatus;
      extendTrialDays?: number;
    }): Promise<Period> {
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
    ...createInvoiceRecordActivities(deps),
  };
}
export type SubscriptionRecordActivities = ReturnType<typeof createSubscriptionRecordActivities>;
