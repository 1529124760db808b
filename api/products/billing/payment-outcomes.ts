import type Stripe from 'stripe';
import {
  savedPaymentMethod,
  type PaymentNotice,
  type ProviderPayment,
  type StripeNotice,
} from '../../../core/payments';

/**
 * What a verified provider notice asks of billing (core/payments verifies and parses it); a paid
 * notice carries what was paid, to reconcile. Billing's reference is its invoice id (Xendit
 * `external_id`, Midtrans `order_id`, Stripe `metadata.invoice_id`); a checkout's saved card
 * names its subscription (`metadata.subscription_id`).
 */
export type Outcome =
  | { signal: 'checkoutCompleted'; subscriptionId: string; paymentMethodId: string | null }
  | { signal: 'invoicePaid'; invoiceId: string; paid: ProviderPayment; reason?: undefined }
  | { signal: 'invoiceFailed'; invoiceId: string; reason: string }
  | null;

/** Xendit and Midtrans: the reference is the invoice. */
export function invoiceOutcome(n: PaymentNotice): Outcome {
  if (n.kind === 'paid') return { signal: 'invoicePaid', invoiceId: n.reference, paid: n.paid };
  if (n.kind === 'failed') return { signal: 'invoiceFailed', invoiceId: n.reference, reason: n.reason };
  return null;
}

/**
 * Stripe: a setup session of a subscription's checkout saves its card (read back from the
 * SetupIntent; a failure throws and the event is not stored, so Stripe's retry gets another go);
 * a payment names its invoice in metadata.
 */
export async function stripeOutcome(n: StripeNotice, stripe: Stripe): Promise<Outcome> {
  const { subscription_id: subscriptionId, invoice_id: invoiceId } = n.metadata;
  if (n.kind === 'setup_completed' && subscriptionId)
    return {
      signal: 'checkoutCompleted',
      subscriptionId,
      paymentMethodId: await savedPaymentMethod(stripe, n.setupIntent),
    };
  if (!invoiceId || n.kind === 'setup_completed' || n.kind === 'other') return null;
  return invoiceOutcome({ ...n, reference: invoiceId });
}
