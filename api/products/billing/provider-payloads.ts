import type Stripe from 'stripe';
import type { ProviderPayment } from '../../../activities/billing/money';

/** What a verified provider event asks of billing; a paid notice carries what was paid, to reconcile. */
export type Outcome =
  | { signal: 'checkoutCompleted'; subscriptionId: string; paymentMethodId: string | null }
  | { signal: 'invoicePaid'; invoiceId: string; paid: ProviderPayment; reason?: undefined }
  | { signal: 'invoiceFailed'; invoiceId: string; reason: string }
  | null;

const idOf = (v: unknown): string | null =>
  typeof v === 'string' ? v : v && typeof v === 'object' && 'id' in v ? String(v.id) : null;

/**
 * A setup-mode session's saved card. Stripe sends `setup_intent` as an id (expanded only when
 * asked), so the SetupIntent is read back; its failure throws and the event is not stored, so
 * Stripe's retry gets another go.
 */
async function savedCard(stripe: Stripe, setupIntent: unknown): Promise<string | null> {
  if (setupIntent && typeof setupIntent === 'object' && 'payment_method' in setupIntent)
    return idOf(setupIntent.payment_method);
  const id = idOf(setupIntent);
  return id
    ? idOf((await stripe.setupIntents.retrieve(id, { expand: ['payment_method'] })).payment_method)
    : null;
}

/** Stripe: checkout completed (setup: the card; payment: an invoice paid), payment intents. */
export async function stripeOutcome(event: Stripe.Event, stripe: Stripe): Promise<Outcome> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the event's object varies by type
  const o = event.data.object as any;
  const invoiceId = o.metadata?.invoice_id as string | undefined;
  if (event.type === 'checkout.session.completed' && o.mode === 'setup' && o.metadata?.subscription_id)
    return {
      signal: 'checkoutCompleted',
      subscriptionId: o.metadata.subscription_id,
      paymentMethodId: await savedCard(stripe, o.setup_intent),
    };
  // A session paid by a method that settles later says `unpaid` now; its payment_intent.succeeded says paid.
  if (event.type === 'checkout.session.completed' && invoiceId && o.payment_status === 'paid')
    return {
      signal: 'invoicePaid',
      invoiceId,
      paid: { amount: o.amount_total, currency: o.currency, unit: 'stripe' },
    };
  if (event.type === 'payment_intent.succeeded' && invoiceId)
    return {
      signal: 'invoicePaid',
      invoiceId,
      paid: { amount: o.amount_received ?? o.amount, currency: o.currency, unit: 'stripe' },
    };
  if (event.type === 'payment_intent.payment_failed' && invoiceId)
    return { signal: 'invoiceFailed', invoiceId, reason: o.last_payment_error?.message ?? 'card declined' };
  return null;
}

/**
 * Xendit: an invoice callback (`status` PAID/SETTLED with `paid_amount`/`amount` and `currency`,
 * EXPIRED) or a fixed virtual account's payment callback (no status: it is only sent for money
 * received; FVAs take rupiah only, so its currency is IDR when absent). `external_id` is our invoice id.
 */
export function xenditOutcome(body: Record<string, unknown>): Outcome {
  const invoiceId = String(body.external_id ?? '');
  const status = String(body.status ?? '');
  if (!invoiceId) return null;
  if (!status && body.callback_virtual_account_id && body.payment_id)
    return {
      signal: 'invoicePaid',
      invoiceId,
      paid: { amount: body.amount, currency: body.currency ?? 'IDR', unit: 'major' },
    };
  if (status === 'PAID' || status === 'SETTLED')
    return {
      signal: 'invoicePaid',
      invoiceId,
      paid: { amount: body.paid_amount ?? body.amount, currency: body.currency, unit: 'major' },
    };
  if (status === 'EXPIRED' || status === 'FAILED')
    return { signal: 'invoiceFailed', invoiceId, reason: `Xendit: ${status}` };
  return null;
}

/** Midtrans: settlement/capture pay `order_id` (our invoice id): `gross_amount` ("1192.00") in `currency`. */
export function midtransOutcome(body: Record<string, unknown>): Outcome {
  const invoiceId = String(body.order_id ?? '');
  const status = String(body.transaction_status ?? '');
  if (['settlement', 'capture'].includes(status))
    return {
      signal: 'invoicePaid',
      invoiceId,
      paid: { amount: body.gross_amount, currency: body.currency, unit: 'major' },
    };
  if (['deny', 'cancel', 'expire', 'failure'].includes(status))
    return { signal: 'invoiceFailed', invoiceId, reason: `Midtrans: ${status}` };
  return null;
}
