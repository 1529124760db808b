import { WorkflowNotFoundError, type SignalDefinition } from '@temporalio/client';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { Config } from '../../../core/config';
import { Unavailable } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import {
  paymentMismatch,
  parseMidtrans,
  parseStripe,
  parseXendit,
  verifyMidtrans,
  verifyStripe,
  verifyXendit,
} from '../../../core/payments';
import type { Temporal } from '../../../core/temporal';
import { startRecordedNow } from '../../../core/workflow-starts';
import {
  checkoutCompletedSignal,
  invoiceFailedSignal,
  invoicePaidSignal,
} from '../../../workflows/billing/definitions';
import { invoiceWorkflowIdOf } from '../../../workflows/billing/ids';
import { invoiceOutcome, stripeOutcome, type Outcome } from './payment-outcomes';
import { recordRefusedPayment } from './refused-payments';
import { workflowIdOf } from './subscriptions';

/**
 * Payment providers' webhooks. Each is verified before anything is read, stored once by its
 * provider event id (a replay changes nothing), and acted on by signalling the workflow concerned
 * (checkout: the subscription's; a payment: its invoice's collection), so the answer is fast.
 * Unknown event types are stored and answered 200. A paid notice whose amount or currency is not
 * its invoice's is refused (recorded, never applied; still 200).
 */
export function createWebhookService(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  stripe: Stripe;
  logger: Logger;
}) {
  const { db, config, temporal, stripe } = deps;

  /**
   * Stores the event; false when its id was seen and acted on before. One stored but never acted on
   * (Temporal was unreachable, or the process died in between) is acted on when the provider retries.
   */
  async function once(provider: string, eventId: string, type: string, payload: unknown): Promise<boolean> {
    const inserted = await db('billing.webhook_events')
      .insert({ provider, event_id: eventId, type, payload: JSON.stringify(payload) })
      .onConflict(['provider', 'event_id'])
      .ignore()
      .returning('id');
    if (inserted.length > 0) return true;
    return Boolean(
      await db('billing.webhook_events')
        .where({ provider, event_id: eventId })
        .whereNull('outcome')
        .first('id'),
    );
  }

  async function act(provider: string, eventId: string, outcome: Outcome) {
    let note = 'recorded';
    if (outcome?.signal === 'checkoutCompleted') {
      await signal(workflowIdOf(outcome.subscriptionId), checkoutCompletedSignal, {
        paymentMethodId: outcome.paymentMethodId,
      });
      note = `checkout completed for ${outcome.subscriptionId}`;
    } else if (outcome) {
      const inv = await db('billing.invoices')
        .where({ id: outcome.invoiceId })
        .first('id', 'customer_id', 'subscription_id', 'status', 'total_cents', 'currency');
      const why = inv && outcome.signal === 'invoicePaid' ? paymentMismatch(inv, outcome.paid) : null;
      if (!inv) note = `unknown invoice ${outcome.invoiceId}`;
      else if (why) note = await recordRefusedPayment(deps, { provider, eventId, invoice: inv, why });
      else {
        const workflowId = invoiceWorkflowIdOf(inv.id);
        const sent =
          outcome.signal === 'invoicePaid'
            ? await signal(workflowId, invoicePaidSignal, { invoiceId: inv.id })
            : await signal(workflowId, invoiceFailedSignal, { invoiceId: inv.id, reason: outcome.reason });
        // No collection runs for it (it ended, or never ran): the row takes the outcome.
        if (!sent && outcome.signal === 'invoicePaid')
          await db('billing.invoices')
            .where({ id: inv.id })
            .whereNot({ status: 'paid' })
            .update({ status: 'paid', paid_at: db.fn.now(), updated_at: db.fn.now() });
        note = `${outcome.signal} ${inv.id}`;
      }
    }
    await db('billing.webhook_events').where({ provider, event_id: eventId }).update({ outcome: note });
  }

  const consequence = 'the event is stored and acted on when the provider retries';
  /** Sends the signal through its definition (workflows/billing/definitions.ts); false when no workflow runs for it. */
  async function signal<A extends unknown[]>(
    workflowId: string,
    definition: SignalDefinition<A>,
    ...args: A
  ): Promise<boolean> {
    const send = () =>
      temporal.call((client) => client.workflow.getHandle(workflowId).signal(definition, ...args), {
        consequence,
      });
    try {
      await send();
      return true;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Its start may still wait in the outbox (the API died after the commit): start it, then tell it.
      if (!(await startRecordedNow(db, temporal, workflowId, consequence))) return false;
    }
    try {
      await send();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  async function receive(
    provider: string,
    eventId: string,
    type: string,
    payload: unknown,
    outcome: Outcome,
  ) {
    if (await once(provider, eventId, type, payload)) await act(provider, eventId, outcome);
    return { received: true };
  }

  return {
    /** Stripe-Signature over the raw body, 300 s tolerance (core/payments/stripe.ts). */
    async stripe(raw: string, signature: string | undefined) {
      if (!config.STRIPE_WEBHOOK_SECRET)
        throw new Unavailable('Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
      const event = verifyStripe(raw, signature, config.STRIPE_WEBHOOK_SECRET);
      const e = parseStripe(event);
      return receive('stripe', e.eventId, e.type, event, await stripeOutcome(e.notice, stripe));
    },

    /** x-callback-token (core/payments/xendit.ts); an invoice payment's `external_id` is our invoice id. */
    async xendit(body: Record<string, unknown>, token: string | undefined) {
      if (!config.XENDIT_CALLBACK_TOKEN)
        throw new Unavailable('Xendit webhooks are not configured (XENDIT_CALLBACK_TOKEN)');
      verifyXendit(token, config.XENDIT_CALLBACK_TOKEN);
      const e = parseXendit(body);
      return receive('xendit', e.eventId, e.type, body, invoiceOutcome(e.notice));
    },

    /** Basic server key and signature_key (core/payments/midtrans.ts); order_id is our invoice id. */
    async midtrans(body: Record<string, unknown>, authorization: string | undefined) {
      if (!config.MIDTRANS_SERVER_KEY)
        throw new Unavailable('Midtrans webhooks are not configured (MIDTRANS_SERVER_KEY)');
      verifyMidtrans(body, authorization, config.MIDTRANS_SERVER_KEY);
      const e = parseMidtrans(body);
      return receive('midtrans', e.eventId, e.type, body, invoiceOutcome(e.notice));
    },
  };
}
export type WebhookService = ReturnType<typeof createWebhookService>;
