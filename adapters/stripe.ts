import Stripe from 'stripe';

/**
 * The `stripe` package against Stripe, or against stripe-mock when STRIPE_API_BASE names one
 * (the dev stack and the tests). Retries Stripe's own retryable failures twice, idempotency keys
 * included, so an activity retry never charges twice.
 */
export function createStripe(opts: { secretKey: string; apiBase?: string }): Stripe {
  const base = opts.apiBase ? new URL(opts.apiBase) : null;
  return new Stripe(opts.secretKey, {
    maxNetworkRetries: 2,
    timeout: 15_000,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol === 'https:' ? 'https' : 'http',
    }),
  });
}
