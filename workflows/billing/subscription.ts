import {
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type {
  LiveStatus,
  Period,
  SubscriptionRecordActivities,
} from '../../activities/billing/subscription-records';
import { childSearchAttributes, controlActivity } from '../platform/options';
import { invoiceWorkflowIdOf } from './ids';
import {
  checkoutCompletedSignal,
  cancelUpdate,
  reactivateUpdate,
  changePlanUpdate,
  paymentMethodUpdate,
  adminOverrideUpdate,
  subscriptionEndedSignal,
} from './definitions';
import { invoiceCollection } from './invoice-collection';
import type { SubscriptionInput } from '../../types/billing';

export type { SubscriptionInput } from '../../types/billing';

const records = proxyLocalActivities<SubscriptionRecordActivities>(controlActivity);
type ClosedPeriod = Awaited<ReturnType<SubscriptionRecordActivities['closePeriod']>>;

export {
  checkoutCompletedSignal,
  cancelUpdate,
  reactivateUpdate,
  changePlanUpdate,
  paymentMethodUpdate,
  adminOverrideUpdate,
} from './definitions';

/**
 * One workflow per subscription (`billing-subscription-<id>`): waits for checkout, then holds each
 * period with a durable timer. The period's end is its time alone: the workflow closes it (invoice:
 * plan + overage − credits) and starts the next in one step, hands the invoice to its own collection
 * workflow (./invoice-collection.ts: charge, payment webhook, dunning and the `past_due` status)
 * and continues as new for the next period. A proration invoice is collected the same way.
 * Changes arrive as updates (the API answers from what they wrote); dunning that ends the
 * subscription arrives as a signal from the collection.
 */
export async function subscriptionLifecycle(input: SubscriptionInput): Promise<LiveStatus> {
  /** Set when the subscription ends by a cancel now or by dunning (a signal from an invoice's collection). */
  const state = { ended: null as LiveStatus | null };
  setHandler(subscriptionEndedSignal, ({ status }) => void (state.ended ??= status));
  const outcome = await onePeriod(input, state);
  // An update still writing its answer (a cancel) finishes before the run ends or continues.
  await condition(allHandlersFinished);
  if (typeof outcome === 'string') return outcome;
  // Canceled now, or ended by dunning, while this run was closing its period.
  if (state.ended) return state.ended;
  return continueAsNew<typeof subscriptionLifecycle>({ ...input, period: outcome.next });
}

/** Starts an open invoice's collection; it outlives this run (continue-as-new) and the subscription. */
async function collect(input: SubscriptionInput, invoiceId: string): Promise<void> {
  await startChild(invoiceCollection, {
    workflowId: invoiceWorkflowIdOf(invoiceId),
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: childSearchAttributes(invoiceId),
    args: [
      {
        invoiceId,
        subscriptionId: input.subscriptionId,
        subscriptionWorkflowId: workflowInfo().workflowId,
        dunningMs: input.dunningMs,
        afterDunning: input.afterDunning,
        paymentWaitMs: input.paymentWaitMs,
      },
    ],
  }).catch((err) => {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // a retried close: it runs already
  });
}

/** Checkout (first run only) and one period; the next period's dates when it goes on. */
async function onePeriod(
  input: SubscriptionInput,
  state: { ended: LiveStatus | null },
): Promise<LiveStatus | { next: Period }> {
  const id = input.subscriptionId;
  let checkout: { paymentMethodId: string | null } | null = null;
  let period: Period | null = input.period ?? null;
  let woken = false;

  setHandler(checkoutCompletedSignal, (c) => void (checkout ??= c));
  setHandler(cancelUpdate, async ({ immediately, reason }) => {
    if (immediately) {
      const why = reason ?? 'canceled by the customer';
      await records.setSubscriptionStatus({ subscriptionId: id, status: 'canceled', reason: why });
      state.ended ??= 'canceled';
      woken = true;
      return { canceled_at: new Date().toISOString(), cancel_at_period_end: false };
    }
    return records.setCancel({ subscriptionId: id, atPeriodEnd: true, reason });
  });
  setHandler(reactivateUpdate, () => records.setCancel({ subscriptionId: id, atPeriodEnd: false }));
  setHandler(changePlanUpdate, async (c) => {
    const changed = await records.changePlan({ subscriptionId: id, ...c });
    // Started before the answer, so a payment of the invoice always finds its collection.
    if (changed.invoiceId && changed.collect) await collect(input, changed.invoiceId);
    return changed;
  });
  setHandler(paymentMethodUpdate, ({ paymentMethodId }) =>
    records.setPaymentMethod({ subscriptionId: id, paymentMethodId }),
  );
  setHandler(adminOverrideUpdate, async (o) => {
    const moved = await records.adminOverride({ subscriptionId: id, ...o });
    period = moved;
    woken = true;
    return moved;
  });

  if (!period) {
    if (!(await condition(() => checkout !== null || state.ended !== null, input.checkoutTimeoutMs))) {
      await records.setSubscriptionStatus({
        subscriptionId: id,
        status: 'incomplete_expired',
        reason: 'checkout was not completed in time',
      });
      return 'incomplete_expired';
    }
    if (state.ended) return state.ended;
    period = await records.activateSubscription({
      subscriptionId: id,
      paymentMethodId: checkout!.paymentMethodId,
      periodMs: input.periodMs,
    });
  }

  // The period runs to its end unless canceled now or ended by dunning; an admin's trial
  // extension moves the end (the close finds one this run did not see, and it waits on).
  const endOf = () => Date.parse((period as Period).end);
  for (;;) {
    while (!state.ended && Date.now() < endOf()) {
      woken = false;
      await condition(() => woken || state.ended !== null, Math.max(1, endOf() - Date.now()));
    }
    if (state.ended) return state.ended;
    const closing = { subscriptionId: id, period: period as Period, periodMs: input.periodMs };
    const closed: ClosedPeriod = await records.closePeriod(closing);
    if (closed.later) {
      period = closed.later;
      continue;
    }
    if (closed.invoice?.status === 'open') await collect(input, closed.invoice.invoiceId);
    if (closed.ended || !closed.next) return closed.ended ?? 'canceled';
    return { next: closed.next };
  }
}
