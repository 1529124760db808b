import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { createStripe } from '../../adapters/stripe';
import { loadConfig } from '../../core/config';
import { freePort } from '../../scripts/stack/processes';
import { startStripeMock } from '../../scripts/stack/stripe-mock';

// The real `stripe` package against stripe-mock (Stripe's official mock), started by the suite.
const config = loadConfig();
const stripe = createStripe({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });

describe('the Stripe adapter against stripe-mock', () => {
  it("is pointed at the suite's stripe-mock", () => {
    expect(config.STRIPE_API_BASE).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates a customer and a subscription Checkout Session the way billing will', async () => {
    const customer = await stripe.customers.create({
      email: 'buyer@example.com',
      metadata: { dermaga_customer: 'cus_local_1' },
    });
    expect(customer.id).toMatch(/^cus_/);
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: 'price_1', quantity: 1 }],
      success_url: 'http://localhost:3000/billing/api/v1/checkout/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://localhost:3000/billing/api/v1/checkout/cancel',
    });
    expect(session.id).toMatch(/^cs_/);
    expect(session.object).toBe('checkout.session');
  });

  it("answers bad input with Stripe's own error type, which billing turns into a 400", async () => {
    await expect(
      stripe.checkout.sessions.create({ mode: 'not-a-mode' as Stripe.Checkout.SessionCreateParams.Mode }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });
});

describe("the stack's stripe-mock", () => {
  it('starts again in a directory where an earlier run left its socket (npm start twice)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stripe-mock-'));
    try {
      for (let run = 0; run < 2; run++) {
        const mock = await startStripeMock({ dir, port: await freePort() });
        const again = createStripe({ secretKey: 'sk_test_123', apiBase: mock.apiBase });
        expect((await again.customers.create({ email: `run-${run}@example.com` })).id).toMatch(/^cus_/);
        await mock.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
