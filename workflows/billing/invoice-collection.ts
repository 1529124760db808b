import {
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { StripePaymentActivities } from '../../activities/billing/stripe-payments';
import type { SubscriptionRecordActivities } from '../../activities/billing/subscription-records';
import { controlActivity } from '../platform/options';
import { invoicePaidSignal, invoiceFailedSignal, subscriptionEndedSignal } from './definitions';

const records = proxyLocalActivities<SubscriptionRecordActivities>(controlActivity);
// Stripe calls run on the control queue, retried a few times; the idempotency key keeps a retry
// from charging twice.
const payments = proxyActivities<StripePaymentActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
});

export interface InvoiceCollectionInput {
  invoiceId: string;
  subscriptionId: string;
  /** The subscription's workflow, told when dunning ends the subscription. */
  subscriptionWorkflowId: string;
  /** Waits between a failed charge and the next attempt; when they run out the subscription ends. */
  dunningMs: number[];
  /** What a subscription becomes when dunning runs out. */
  afterDunning: 'canceled' | 'unpaid';
  /** How long a charge's outcome (a webhook) is awaited before it counts as failed. */
  paymentWaitMs: number;
}

export { invoicePaidSignal, invoiceFailedSignal, subscriptionEndedSignal } from './definitions';

/**
 * One workflow per open invoice (`billing-invoice-<id>`), a period's or a proration's: charges it
 * on the saved card, waits for the payment's webhook (any payment of it, by hand too, signals
 * here), and on failure runs dunning: the subscription is `past_due` while it tries, active again
 * when paid, and `afterDunning` (its workflow told) when the last retry fails. It runs beside the
 * subscription's periods, which go on by time.
 */
export async function invoiceCollection(input: InvoiceCollectionInput): Promise<'paid' | 'unpaid'> {
  const { invoiceId, subscriptionId } = input;
  let paid = false;
  let failed: string | null = null;
  setHandler(invoicePaidSignal, () => void (paid = true));
  setHandler(invoiceFailedSignal, ({ reason }) => void (failed = reason));

  const settle = async () => {
    await records.markInvoice({ invoiceId, outcome: 'paid' });
    await records.collectionStatus({ subscriptionId, outcome: 'paid', afterDunning: input.afterDunning });
    return 'paid' as const;
  };

  for (let attempt = 1; ; attempt++) {
    if (paid || (await records.invoiceStatus({ invoiceId })) === 'paid') return settle();
    failed = null;
    await payments.chargeInvoice({ invoiceId, attempt });
    await condition(() => paid || failed !== null, input.paymentWaitMs);
    if (paid) return settle();
    await records.markInvoice({
      invoiceId,
      outcome: 'failed',
      reason: failed ?? 'no payment confirmation arrived in time',
    });
    if (attempt > input.dunningMs.length) {
      const ended = await records.collectionStatus({
        subscriptionId,
        outcome: 'exhausted',
        afterDunning: input.afterDunning,
      });
      if (ended)
        await getExternalWorkflowHandle(input.subscriptionWorkflowId)
          .signal(subscriptionEndedSignal, { status: ended })
          .catch(() => undefined);
      return 'unpaid';
    }
    await records.collectionStatus({ subscriptionId, outcome: 'failing', afterDunning: input.afterDunning });
    // A payment made meanwhile (the customer paying the invoice by hand) ends the wait early.
    await condition(() => paid, input.dunningMs[attempt - 1]);
  }
}
