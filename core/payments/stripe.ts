import Stripe from 'stripe';
import type { ProviderPayment } from './money';
import { InvalidSignature, type ProviderEvent } from './notice';

/** Stripe's default and recommended tolerance for the signed timestamp. */
export const STRIPE_TOLERANCE_SECONDS = 300;

/**
 * The event in `raw` (the request body exactly as received) if its Stripe-Signature header is the
 * secret's HMAC over it and its timestamp is within `toleranceSeconds`; InvalidSignature otherwise.
 */
export function verifyStripe(
  raw: string,
  signature: string | undefined,
  secret: string,
  toleranceSeconds = STRIPE_TOLERANCE_SECONDS,
): Stripe.Event {
  if (!signature) throw new InvalidSignature('Stripe-Signature header is missing');
  try {
    return Stripe.webhooks.constructEvent(raw, signature, secret, toleranceSeconds);
  } catch (err) {
    const why = err instanceof Stripe.errors.StripeSignatureVerificationError ? err.message : 'invalid';
    throw new InvalidSignature(`Stripe-Signature: ${why}`);
  }
}

/** The metadata the product put on the session or payment intent when it created it. */
export type StripeMetadata = Record<string, string | undefined>;

/**
 * What a Stripe event says of a payment: a setup-mode Checkout Session completed (a card saved:
 * read it with `savedPaymentMethod`), a payment settled (a paid session, or
 * `payment_intent.succeeded`, in Stripe's minor units) or failed (`payment_intent.payment_failed`).
 * The product finds its own ids in `metadata`.
 */
export type StripeNotice =
  | { kind: 'setup_completed'; metadata: StripeMetadata; setupIntent: unknown }
  | { kind: 'paid'; metadata: StripeMetadata; paid: ProviderPayment }
  | { kind: 'failed'; metadata: StripeMetadata; reason: string }
  | { kind: 'other'; metadata: StripeMetadata };

export function parseStripe(event: Stripe.Event): ProviderEvent<StripeNotice> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the event's object varies by type: Stripe types it as a union that each branch below would have to narrow and cast
  const o = event.data.object as any;
  const metadata: StripeMetadata = o?.metadata && typeof o.metadata === 'object' ? o.metadata : {};
  const of = (notice: StripeNotice) => ({ eventId: event.id, type: event.type, notice });
  if (event.type === 'checkout.session.completed' && o.mode === 'setup')
    return of({ kind: 'setup_completed', metadata, setupIntent: o.setup_intent });
  // A session paid by a method that settles later says `unpaid` now; its payment_intent.succeeded says paid.
  if (event.type === 'checkout.session.completed' && o.payment_status === 'paid')
    return of({
      kind: 'paid',
      metadata,
      paid: { amount: o.amount_total, currency: o.currency, unit: 'stripe' },
    });
  if (event.type === 'payment_intent.succeeded')
    return of({
      kind: 'paid',
      metadata,
      paid: { amount: o.amount_received ?? o.amount, currency: o.currency, unit: 'stripe' },
    });
  if (event.type === 'payment_intent.payment_failed')
    return of({ kind: 'failed', metadata, reason: o.last_payment_error?.message ?? 'card declined' });
  return of({ kind: 'other', metadata });
}

const idOf = (v: unknown): string | null =>
  typeof v === 'string' ? v : v && typeof v === 'object' && 'id' in v ? String(v.id) : null;

/**
 * A setup-mode session's saved card. Stripe sends `setup_intent` as an id (expanded only when
 * asked), so the SetupIntent is read back; its failure throws, so the caller stores nothing and
 * Stripe's retry gets another go.
 */
export async function savedPaymentMethod(stripe: Stripe, setupIntent: unknown): Promise<string | null> {
  if (setupIntent && typeof setupIntent === 'object' && 'payment_method' in setupIntent)
    return idOf(setupIntent.payment_method);
  const id = idOf(setupIntent);
  return id
    ? idOf((await stripe.setupIntents.retrieve(id, { expand: ['payment_method'] })).payment_method)
    : null;
}
