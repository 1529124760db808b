import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { createStripe } from '../../adapters/stripe';
import { newId } from '../../core/ids';
import { eventually, startApi, type TestApi } from '../support/api';
import { billingAccount, postStripeEvent } from '../support/billing';
import { createMailbox } from '../support/mailbox';

// Checkout and payment webhooks on the real stack (stripe-mock, Temporal, the worker). Webhooks
// carry each provider's own payload shape, signed or tokened the way that provider does it.
const WEBHOOK_SECRET = 'whsec_dermaga_payments_test';
const XENDIT_TOKEN = 'xnd-callback-token-payments';
const MIDTRANS_KEY = 'SB-Mid-server-payments';
const mailbox = createMailbox();
const { mails } = mailbox;
let api: TestApi;
let adminToken: string;
const call = (method: string, path: string, token?: string, body?: unknown) =>
  api.request(method, `/billing${path}`, { token, body });
const env = {
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  XENDIT_CALLBACK_TOKEN: XENDIT_TOKEN,
  MIDTRANS_SERVER_KEY: MIDTRANS_KEY,
};

beforeAll(async () => {
  const smtpUrl = await mailbox.start();
  api = await startApi({
    ...env,
    BILLING_SMTP_URL: smtpUrl,
  });
  adminToken = (await billingAccount(api, 'admin')).token;
});
afterAll(async () => {
  await api.close();
  await mailbox.close();
});

const plan = async () =>
  (
    await call('POST', '/admin/plans', adminToken, {
      name: `Plan ${newId('p')}`,
      price_cents: 1192,
      quota_tokens: 1000,
      quota_requests: 100,
    })
  ).body.data;
const subscription = (id: string) => api.db('billing.subscriptions').where({ id }).first();
const invoice = (id: string) => api.db('billing.invoices').where({ id }).first();
const returnUrls = { success_url: 'https://app.example/ok', cancel_url: 'https://app.example/no' };

const stripeEvent = (type: string, object: Record<string, unknown>) =>
  postStripeEvent(api, WEBHOOK_SECRET, type, object);
const xendit = (body: Record<string, unknown>) =>
  api.request('POST', '/billing/webhooks/xendit', { body, headers: { 'x-callback-token': XENDIT_TOKEN } });
/** A Midtrans HTTP notification; signature_key = SHA-512(order_id + status_code + gross_amount + key). */
function midtrans(note: {
  order_id: string;
  gross_amount: string;
  currency: string;
  transaction_status: string;
  status_code?: string;
}) {
  const status_code = note.status_code ?? '200';
  const body = {
    transaction_time: '2026-12-02 10:00:00',
    transaction_status: note.transaction_status,
    transaction_id: `mt-${newId('t')}`,
    status_message: 'midtrans payment notification',
    status_code,
    signature_key: createHash('sha512')
      .update(`${note.order_id}${status_code}${note.gross_amount}${MIDTRANS_KEY}`)
      .digest('hex'),
    payment_type: 'bank_transfer',
    order_id: note.order_id,
    merchant_id: 'G141532850',
    gross_amount: note.gross_amount,
    fraud_status: 'accept',
    currency: note.currency,
  };
  return api.request('POST', '/billing/webhooks/midtrans', {
    body,
    headers: { authorization: `Basic ${Buffer.from(`${MIDTRANS_KEY}:`).toString('base64')}` },
  });
}
/** An open invoice of the customer's, outside any subscription (as a proration invoice is). */
async function openInvoice(customerId: string, totalCents: number, currency: string) {
  const id = newId('inv');
  await api.db('billing.invoices').insert({
    id,
    number: `INV-T-${id.slice(-8)}`,
    customer_id: customerId,
    kind: 'proration',
    status: 'open',
    currency,
    line_items: '[]',
    subtotal_cents: totalCents,
    total_cents: totalCents,
  });
  return id;
}
const outcomeOf = async (provider: string) =>
  (await api.db('billing.webhook_events').where({ provider }).orderBy('id', 'desc').first())
    .outcome as string;

describe('checkout saves the card', () => {
  it('reads the card from the SetupIntent Stripe names by id in checkout.session.completed', async () => {
    const c = await billingAccount(api);
    const created = await call('POST', '/api/v1/checkout/create', c.token, {
      plan_id: (await plan()).id,
      customer_email: c.email,
      ...returnUrls,
    });
    expect(created.status).toBe(201);
    const { session_id, subscription_id } = created.body.data;
    const setupIntent = `seti_${newId('s').slice(2)}`;
    // What Stripe holds for that SetupIntent (stripe-mock here): the card the periods are charged to.
    const stripe = createStripe({
      secretKey: api.config.STRIPE_SECRET_KEY,
      apiBase: api.config.STRIPE_API_BASE,
    });
    const card = (await stripe.setupIntents.retrieve(setupIntent, { expand: ['payment_method'] }))
      .payment_method as Stripe.PaymentMethod;
    expect(card.id).toMatch(/^pm_/);
    const completed = await stripeEvent('checkout.session.completed', {
      id: session_id,
      object: 'checkout.session',
      mode: 'setup',
      status: 'complete',
      customer: 'cus_test',
      currency: 'usd',
      metadata: { subscription_id },
      setup_intent: setupIntent,
      success_url: returnUrls.success_url,
    });
    expect(completed.body).toEqual({ received: true });
    const active = await eventually(
      async () =>
        (await subscription(subscription_id)).status === 'active' ? subscription(subscription_id) : undefined,
      30_000,
      'active',
    );
    expect(active.payment_method_id).toBe(card.id);
    expect((await call('GET', '/api/v1/subscriptions', c.token)).body.data).toMatchObject({
      id: subscription_id,
      payment_method_id: card.id,
    });
  });
});

describe('payments are reconciled with their invoice', () => {
  it('refuses 1.00 IDR by Midtrans and 0.01 by Xendit for 11.92 USD, records why, answers 200', async () => {
    const c = await billingAccount(api);
    const id = await openInvoice(c.id, 1192, 'usd');
    expect(
      (
        await midtrans({
          order_id: id,
          gross_amount: '1.00',
          currency: 'IDR',
          transaction_status: 'settlement',
        })
      ).body,
    ).toEqual({ received: true });
    expect((await invoice(id)).status).toBe('open');
    expect(await outcomeOf('midtrans')).toBe(
      "refused: payment of 1.00 IDR does not match the invoice's 11.92 USD",
    );
    const paidXendit = {
      id: `xinv_${newId('x')}`,
      external_id: id,
      user_id: '5f3c',
      status: 'PAID',
      merchant_name: 'Dermaga',
      amount: 0.01,
      paid_amount: 0.01,
      currency: 'USD',
      payment_method: 'CREDIT_CARD',
      payment_channel: 'CREDIT_CARD',
      paid_at: new Date().toISOString(),
      created: new Date().toISOString(),
      updated: new Date().toISOString(),
    };
    expect((await xendit(paidXendit)).body).toEqual({ received: true });
    expect((await invoice(id)).status).toBe('open');
    expect(await outcomeOf('xendit')).toBe(
      "refused: payment of 0.01 USD does not match the invoice's 11.92 USD",
    );
    const audit = await api
      .db('platform.audit_log')
      .where({ product: 'billing', action: 'invoice.payment_refused', target: `invoice:${id}` })
      .orderBy('id');
    expect(audit.map((a) => [a.actor, a.outcome])).toEqual([
      ['midtrans', 'denied'],
      ['xendit', 'denied'],
    ]);
    // Admins see them, newest first; customers do not.
    const refused = await call('GET', '/admin/payments/refused', adminToken);
    const listed = refused.body.data.filter((r: { invoice_id: string }) => r.invoice_id === id);
    expect(listed).toEqual([
      expect.objectContaining({
        provider: 'xendit',
        customer_id: c.id,
        reason: "payment of 0.01 USD does not match the invoice's 11.92 USD",
      }),
      expect.objectContaining({
        provider: 'midtrans',
        customer_id: c.id,
        reason: "payment of 1.00 IDR does not match the invoice's 11.92 USD",
      }),
    ]);
    expect((await call('GET', '/admin/payments/refused', c.token)).status).toBe(403);
    // The right amount in the right currency pays it.
    expect(
      (await xendit({ ...paidXendit, id: `xinv_${newId('x')}`, amount: 11.92, paid_amount: 11.92 })).body,
    ).toEqual({ received: true });
    expect((await invoice(id)).status).toBe('paid');
  });

  it('refuses a Stripe payment of another amount or currency; the exact one pays', async () => {
    const c = await billingAccount(api);
    const id = await openInvoice(c.id, 1192, 'usd');
    const intent = (amount: number, currency: string) => ({
      id: `pi_${newId('p').slice(2)}`,
      object: 'payment_intent',
      amount,
      amount_received: amount,
      currency,
      status: 'succeeded',
      metadata: { invoice_id: id },
    });
    await stripeEvent('payment_intent.succeeded', intent(100, 'usd'));
    await stripeEvent('payment_intent.succeeded', intent(1192, 'eur'));
    expect((await invoice(id)).status).toBe('open');
    expect(await outcomeOf('stripe')).toBe(
      "refused: payment of 11.92 EUR does not match the invoice's 11.92 USD",
    );
    expect((await stripeEvent('payment_intent.succeeded', intent(1192, 'usd'))).body).toEqual({
      received: true,
    });
    expect((await invoice(id)).status).toBe('paid');
  });

  it('takes rupiah whole: "50000.00" IDR (Midtrans), a Xendit FVA of the total; 1 IDR not', async () => {
    const c = await billingAccount(api);
    const byMidtrans = await openInvoice(c.id, 50_000, 'idr');
    expect(
      (
        await midtrans({
          order_id: byMidtrans,
          gross_amount: '50000.00',
          currency: 'IDR',
          transaction_status: 'settlement',
        })
      ).body,
    ).toEqual({ received: true });
    expect((await invoice(byMidtrans)).status).toBe('paid');

    const byVa = await openInvoice(c.id, 150_000, 'idr');
    const fva = (amount: number) => ({
      updated: new Date().toISOString(),
      created: new Date().toISOString(),
      payment_id: `${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      callback_virtual_account_id: '58a434ba39cc9e4a230d5a2b',
      owner_id: '5824128aa6f9f9b648be9d76',
      external_id: byVa,
      account_number: '1001470126',
      bank_code: 'MANDIRI',
      amount,
      transaction_timestamp: new Date().toISOString(),
      merchant_code: '88464',
      id: newId('fvap'),
    });
    expect((await xendit(fva(1))).body).toEqual({ received: true });
    expect((await invoice(byVa)).status).toBe('open');
    expect(await outcomeOf('xendit')).toBe(
      "refused: payment of 1 IDR does not match the invoice's 150000 IDR",
    );
    expect((await xendit(fva(150_000))).body).toEqual({ received: true });
    expect((await invoice(byVa)).status).toBe('paid');
  });
});

describe('checkout cannot be used against someone else', () => {
  const anonymous = (email: string, planId: string) =>
    call('POST', '/api/v1/checkout/create', undefined, {
      plan_id: planId,
      customer_email: email,
      ...returnUrls,
    });

  it('a stranger using your email is answered as for no account; yours is not blocked', async () => {
    const c = await billingAccount(api);
    const p = await plan();
    const before = mails.length;
    const known = await anonymous(c.email, p.id);
    const unknown = await anonymous(`nobody-${newId('n')}@example.com`, p.id);
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.body).toEqual(unknown.body);
    expect(known.body).toEqual({
      success: true,
      data: { checkout_url: null, session_id: null, subscription_id: null, delivery: 'email' },
    });
    const mail = await eventually(
      async () => mails.slice(before).find((m) => m.to === c.email),
      10_000,
      'the checkout mail',
    );
    // The mail is quoted-printable: its soft line breaks undone, the page's URL is on a line of its own.
    expect(mail.text.replace(/=\r?\n/g, '')).toMatch(/\nhttps:\/\/checkout\.stripe\.com\/pay\/\S+/);
    expect(mails.slice(before)).toHaveLength(1); // nothing to the unknown address
    const stranger = await api
      .db('billing.subscriptions')
      .where({ customer_id: c.id, status: 'incomplete' })
      .first();

    const own = await call('POST', '/api/v1/checkout/create', c.token, {
      plan_id: p.id,
      customer_email: c.email,
      ...returnUrls,
    });
    expect(own.status).toBe(201);
    expect(own.body.data).toMatchObject({
      checkout_url: expect.stringMatching(/^https:\/\//),
      session_id: expect.stringMatching(/^cs_/),
      delivery: 'redirect',
    });
    expect(await subscription(stranger.id)).toMatchObject({
      status: 'canceled',
      cancel_reason: 'superseded by a newer checkout',
    });
    expect(
      await api
        .db('billing.subscriptions')
        .where({ customer_id: c.id })
        .whereIn('status', ['incomplete', 'active'])
        .pluck('id'),
    ).toEqual([own.body.data.subscription_id]);
  });

  it('binds a checkout to the token that comes with it, and refuses a token that is not valid', async () => {
    const c = await billingAccount(api);
    const other = await billingAccount(api);
    const p = await plan();
    expect(
      (
        await call('POST', '/api/v1/checkout/create', c.token, {
          plan_id: p.id,
          customer_email: other.email,
          ...returnUrls,
        })
      ).body,
    ).toEqual({
      success: false,
      data: "customer_email: is not the signed-in account's email",
      code: 'invalid_request',
    });
    expect(
      (
        await call('POST', '/api/v1/checkout/create', 'not-a-token', {
          plan_id: p.id,
          customer_email: c.email,
          ...returnUrls,
        })
      ).status,
    ).toBe(401);
    expect(
      await api.db('billing.subscriptions').whereIn('customer_id', [c.id, other.id]).count('* as n').first(),
    ).toEqual({ n: '0' });
  });

  it('accepts only http(s) return URLs, and only on the configured origins when some are', async () => {
    const c = await billingAccount(api);
    const p = await plan();
    const body = { plan_id: p.id, customer_email: c.email, ...returnUrls };
    expect(
      (
        await call('POST', '/api/v1/checkout/create', c.token, {
          ...body,
          success_url: 'javascript:alert(document.cookie)',
        })
      ).body,
    ).toEqual({ success: false, data: 'success_url: must be an http(s) URL', code: 'invalid_request' });
    expect(
      (
        await call('POST', '/api/v1/checkout/create', c.token, {
          ...body,
          cancel_url: 'data:text/html,<script>alert(1)</script>',
        })
      ).body,
    ).toEqual({ success: false, data: 'cancel_url: must be an http(s) URL', code: 'invalid_request' });
    const limited = await startApi({
      ...env,
      BILLING_CHECKOUT_RETURN_ORIGINS: 'https://app.example,https://shop.example',
    });
    try {
      const post = (b: unknown) =>
        limited.request('POST', '/billing/api/v1/checkout/create', { token: c.token, body: b });
      expect((await post({ ...body, cancel_url: 'https://evil.example/no' })).body).toEqual({
        success: false,
        data: 'cancel_url: must be on https://app.example or https://shop.example',
        code: 'invalid_request',
      });
      expect((await post({ ...body, success_url: 'https://shop.example/thanks' })).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('keeps one live checkout when several open at once; refuses one over a subscription', async () => {
    const c = await billingAccount(api);
    const p = await plan();
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() =>
        call('POST', '/api/v1/checkout/create', c.token, {
          plan_id: p.id,
          customer_email: c.email,
          ...returnUrls,
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const rows = await api.db('billing.subscriptions').where({ customer_id: c.id });
    expect(rows.map((r) => `${r.status} ${r.cancel_reason ?? ''}`.trim()).sort()).toEqual([
      ...Array(3).fill('canceled superseded by a newer checkout'),
      'incomplete',
    ]);
    const live = rows.find((r) => r.status === 'incomplete');
    await stripeEvent('checkout.session.completed', {
      id: live.checkout_session_id,
      object: 'checkout.session',
      mode: 'setup',
      status: 'complete',
      metadata: { subscription_id: live.id },
      setup_intent: 'seti_123',
    });
    await eventually(
      async () => ((await subscription(live.id)).status === 'active' ? true : undefined),
      30_000,
      'active',
    );
    expect(
      (
        await call('POST', '/api/v1/checkout/create', c.token, {
          plan_id: p.id,
          customer_email: c.email,
          ...returnUrls,
        })
      ).body,
    ).toMatchObject({
      success: false,
      data: 'customer_email: this customer already has a subscription; upgrade it instead',
    });
    const before = mails.length;
    expect((await anonymous(c.email, p.id)).status).toBe(202);
    const mail = await eventually(
      async () => mails.slice(before).find((m) => m.to === c.email),
      10_000,
      'the note',
    );
    expect(mail.text).toContain('already has a subscription');
  });

  it('mails one email at most BILLING_CHECKOUT_MAILS_PER_HOUR checkouts, alike with or without an account', async () => {
    const c = await billingAccount(api);
    const p = await plan();
    const nobody = `nobody-${newId('n')}@example.com`;
    // Fired at once: the limit (3 by default) is reserved atomically, not counted then written.
    const known = await Promise.all(Array.from({ length: 5 }, () => anonymous(c.email, p.id)));
    const unknown = await Promise.all(Array.from({ length: 5 }, () => anonymous(nobody, p.id)));
    const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();
    expect(statuses(known)).toEqual([202, 202, 202, 429, 429]);
    expect(statuses(unknown)).toEqual(statuses(known));
    expect(known.find((r) => r.status === 429)!.body).toMatchObject({ success: false, code: 'rate_limited' });
    // The owner signed in is not limited by what strangers asked for.
    const own = await call('POST', '/api/v1/checkout/create', c.token, {
      plan_id: p.id,
      customer_email: c.email,
      ...returnUrls,
    });
    expect(own.status).toBe(201);
  });
});
