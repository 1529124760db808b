import Stripe from 'stripe';
import { createStripe } from '../../../adapters/stripe';

// Signing and checking a webhook is local to the `stripe` package: no stripe-mock, no network.
const stripe = createStripe({ secretKey: 'sk_test_unit', apiBase: 'http://127.0.0.1:9' });

describe('Stripe webhook signatures', () => {
  it('signs a webhook the way Stripe does, and constructEvent accepts it only untouched and fresh', () => {
    const secret = 'whsec_test_secret';
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: 'cs_1' } },
    });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    expect(stripe.webhooks.constructEvent(payload, header, secret, 300).id).toBe('evt_1');
    expect(() =>
      stripe.webhooks.constructEvent(payload.replace('cs_1', 'cs_2'), header, secret, 300),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
    const old = stripe.webhooks.generateTestHeaderString({
      payload,
      secret,
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    expect(() => stripe.webhooks.constructEvent(payload, old, secret, 300)).toThrow(
      /Timestamp outside the tolerance zone/,
    );
  });
});
