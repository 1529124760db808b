import { allHandlersFinished, condition, continueAsNew, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { StripePaymentActivities } from '../../activities/billing/stripe-payments';
import type { LiveStatus, Period, SubscriptionRecordActivities } from '../../activities/billing/subscription-records';
import { controlActivity } from '../platform/options';

const records = proxyLocalActivities<SubscriptionRecordActivities>(controlActivity);
// Stripe calls run on the control queue (this workflow's), retried a few times; the idempotency key keeps a retry from charging twice.
const payments = proxyActivities<StripePaymentActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumAttempts: 5 } });

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

export const checkoutCompletedSignal = defineSignal<[{ paymentMethodId: string | null }]>('checkoutCompleted');
export const invoicePaidSignal = defineSignal<[{ invoiceId: string }]>('invoicePaid');
export const invoiceFailedSignal = defineSignal<[{ invoiceId: string; reason: string }]>('invoiceFailed');
export const cancelUpdate = defineUpdate<{ canceled_at: string | null; cancel_at_period_end: boolean }, [{ immediately: boolean; reason?: string }]>('cancel');
export const reactivateUpdate = defineUpdate<{ canceled_at: string | null; cancel_at_period_end: boolean }, []>('reactivate');
export const changePlanUpdate = defineUpdate<{ invoiceId: string | null; creditCents: number }, [{ planId: string; prorate: boolean }]>('changePlan');
export const paymentMethodUpdate = defineUpdate<void, [{ paymentMethodId: string }]>('paymentMethod');
export const adminOverrideUpdate = defineUpdate<Period, [{ planId?: string; status?: LiveStatus; extendTrialDays?: number }]>('adminOverride');

/**
 * One workflow per subscription (`billing-subscription-<id>`): waits for checkout, holds each
 * period with a durable timer, then closes it (invoice: plan + overage − credits), charges it and
 * runs dunning on failure (`past_due`, retries on the schedule, then `canceled` or `unpaid`), and
 * continues as new for the next period. Changes arrive as updates (the API answers from what they
 * wrote); payment outcomes as signals from verified webhooks.
 */
export async function subscriptionLifecycle(input: SubscriptionInput): Promise<LiveStatus> {
  const outcome = await onePeriod(input);
  // An update still writing its answer (a cancel) finishes before the run ends or continues.
  await condition(allHandlersFinished);
  if (typeof outcome === 'string') return outcome;
  return continueAsNew<typeof subscriptionLifecycle>({ ...input, period: outcome.next });
}

/** Checkout (first run only) and one period; the next period's dates when it goes on. */
async function onePeriod(input: SubscriptionInput): Promise<LiveStatus | { next: Period }> {
  const id = input.subscriptionId;
  let checkout: { paymentMethodId: string | null } | null = null;
  let period: Period | null = input.period ?? null;
  let cancelNow: string | null = null;
  let cancelAtEnd = false;
  let woken = false;
  const paid = new Set<string>();
  const failed = new Map<string, string>();

  setHandler(checkoutCompletedSignal, (c) => void (checkout ??= c));
  setHandler(invoicePaidSignal, ({ invoiceId }) => void paid.add(invoiceId));
  setHandler(invoiceFailedSignal, ({ invoiceId, reason }) => void failed.set(invoiceId, reason));
  setHandler(cancelUpdate, async ({ immediately, reason }) => {
    if (immediately) {
      const why = reason ?? 'canceled by the customer';
      await records.setSubscriptionStatus({ subscriptionId: id, status: 'canceled', reason: why });
      cancelNow = why;
      woken = true;
      return { canceled_at: new Date().toISOString(), cancel_at_period_end: false };
    }
    cancelAtEnd = true;
    return records.setCancel({ subscriptionId: id, atPeriodEnd: true, reason });
  });
  setHandler(reactivateUpdate, async () => {
    cancelAtEnd = false;
    return records.setCancel({ subscriptionId: id, atPeriodEnd: false });
  });
  setHandler(changePlanUpdate, (c) => records.changePlan({ subscriptionId: id, ...c }));
  setHandler(paymentMethodUpdate, ({ paymentMethodId }) => records.setPaymentMethod({ subscriptionId: id, paymentMethodId }));
  setHandler(adminOverrideUpdate, async (o) => {
    const moved = await records.adminOverride({ subscriptionId: id, ...o });
    period = moved;
    woken = true;
    return moved;
  });

  if (!period) {
    if (!(await condition(() => checkout !== null || cancelNow !== null, input.checkoutTimeoutMs))) {
      await records.setSubscriptionStatus({ subscriptionId: id, status: 'incomplete_expired', reason: 'checkout was not completed in time' });
      return 'incomplete_expired';
    }
    if (cancelNow) return 'canceled';
    period = await records.activateSubscription({ subscriptionId: id, paymentMethodId: checkout!.paymentMethodId, periodMs: input.periodMs });
  }

  // The period runs to its end unless canceled now; an admin's trial extension moves the end.
  const endOf = () => Date.parse((period as Period).end);
  while (!cancelNow && Date.now() < endOf()) {
    woken = false;
    await condition(() => woken, Math.max(1, endOf() - Date.now()));
  }
  if (cancelNow) return 'canceled';

  const invoice = await records.closePeriod({ subscriptionId: id });
  if (!(await collect(invoice.invoiceId, invoice.status))) {
    await records.setSubscriptionStatus({ subscriptionId: id, status: input.afterDunning, reason: 'payment failed after every retry' });
    return input.afterDunning;
  }
  if (cancelAtEnd) {
    await records.setSubscriptionStatus({ subscriptionId: id, status: 'canceled', reason: 'canceled at period end' });
    return 'canceled';
  }
  return { next: await records.startNextPeriod({ subscriptionId: id, periodMs: input.periodMs }) };

  /** Charges until paid or the dunning schedule runs out; `past_due` while it tries. */
  async function collect(invoiceId: string, status: string): Promise<boolean> {
    if (status === 'paid') return true;
    for (let attempt = 1; ; attempt++) {
      failed.delete(invoiceId);
      await payments.chargeInvoice({ invoiceId, attempt });
      await condition(() => paid.has(invoiceId) || failed.has(invoiceId), input.paymentWaitMs);
      if (paid.has(invoiceId)) {
        await records.markInvoice({ invoiceId, outcome: 'paid' });
        if (attempt > 1) await records.setSubscriptionStatus({ subscriptionId: id, status: 'active' });
        return true;
      }
      await records.markInvoice({ invoiceId, outcome: 'failed', reason: failed.get(invoiceId) ?? 'no payment confirmation arrived in time' });
      if (attempt > input.dunningMs.length) return false;
      await records.setSubscriptionStatus({ subscriptionId: id, status: 'past_due' });
      // A payment made meanwhile (the customer paying the invoice by hand) ends the wait early.
      await condition(() => paid.has(invoiceId), input.dunningMs[attempt - 1]);
      if (paid.has(invoiceId)) {
        await records.markInvoice({ invoiceId, outcome: 'paid' });
        await records.setSubscriptionStatus({ subscriptionId: id, status: 'active' });
        return true;
      }
    }
  }
}
