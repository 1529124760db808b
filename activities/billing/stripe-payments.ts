import type { Knex } from 'knex';
import type Stripe from 'stripe';
import { toStripeAmount } from '../../core/payments';

/**
 * Charging an invoice through Stripe: a PaymentIntent for its total on the customer's saved
 * payment method, off session. The idempotency key names the invoice and the attempt, so a
 * retried activity never charges twice. The outcome is trusted only from the signed webhook.
 */
export function createStripePaymentActivities(deps: { db: Knex; stripe: Stripe }) {
  const { db, stripe } = deps;
  return {
    async chargeInvoice({
      invoiceId,
      attempt,
    }: {
      invoiceId: string;
      attempt: number;
    }): Promise<{ paymentIntentId: string }> {
      const inv = await db('billing.invoices as i')
        .join('billing.customers as c', 'c.id', 'i.customer_id')
        .leftJoin('billing.subscriptions as s', 's.id', 'i.subscription_id')
        .where('i.id', invoiceId)
        .first('i.*', 'c.stripe_customer_id', 's.payment_method_id');
      const pi = await stripe.paymentIntents.create(
        {
          amount: toStripeAmount(inv.total_cents, inv.currency),
          currency: inv.currency,
          ...(inv.stripe_customer_id && { customer: inv.stripe_customer_id }),
          ...(inv.payment_method_id && {
            payment_method: inv.payment_method_id,
            off_session: true,
            confirm: true,
          }),
          description: `Invoice ${inv.number}`,
          metadata: { invoice_id: inv.id, invoice_number: inv.number },
        },
        { idempotencyKey: `invoice-${inv.id}-attempt-${attempt}` },
      );
      await db('billing.invoices')
        .where({ id: invoiceId })
        .update({ payment_intent_id: pi.id, attempts: attempt, updated_at: db.fn.now() });
      return { paymentIntentId: pi.id };
    },
  };
}
export type StripePaymentActivities = ReturnType<typeof createStripePaymentActivities>;
