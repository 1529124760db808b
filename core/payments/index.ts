/**
 * Payment providers' notifications, for any product that takes money (billing now, academy next).
 * One file per provider, each with its verify function (signature or token; throws
 * InvalidSignature, 400) and its parser of the provider's real payload (its event id, type, and a
 * typed notice); money.ts reconciles a paid amount with what was asked. No HTTP and no product
 * here: the product's route hands over the raw body or parsed JSON and the header, and decides
 * what the notice means for it.
 *
 * How a product uses it (billing: api/products/billing/webhooks.ts):
 *   1. Not configured (no secret): answer 503 yourself, naming your setting.
 *   2. Verify, then parse: verifyXendit(header, token); const e = parseXendit(body). Likewise
 *      verifyMidtrans(body, authorization, serverKey) then parseMidtrans(body); Stripe verifies
 *      the raw body: const e = parseStripe(verifyStripe(rawBody, signature, secret)).
 *   3. Store the notification once by (provider, e.eventId), so a provider's retry changes nothing.
 *   4. On e.notice.kind === 'paid', find your record by e.notice.reference (the external_id /
 *      order_id you gave the provider; Stripe: your metadata), and refuse it when
 *      paymentMismatch(record, e.notice.paid) says the amount or currency is not the one asked.
 *      A virtual-account transfer also names its account (e.notice.virtualAccount).
 * Stripe's amounts are in its minor units (toStripeAmount when asking); Xendit's and Midtrans's
 * are major units ("150000.00"); paymentMismatch knows both.
 */
export { paymentMismatch, toStripeAmount, type ProviderPayment } from './money';
export { InvalidSignature, type PaymentNotice, type ProviderEvent, type VirtualAccount } from './notice';
export {
  parseStripe,
  savedPaymentMethod,
  verifyStripe,
  STRIPE_TOLERANCE_SECONDS,
  type StripeNotice,
} from './stripe';
export { parseXendit, verifyXendit } from './xendit';
export { parseMidtrans, verifyMidtrans, verifyMidtransSignature } from './midtrans';
