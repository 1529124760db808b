import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { newId } from '../../core/ids';
import { eventually, startApi, type TestApi } from '../support/api';
import { billingAccount, postStripeEvent } from '../support/billing';
import { saveHistory } from '../support/histories';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a billing.invoices row as knex returns it
type InvoiceRow = Record<string, any>;

// The whole life of a subscription on the suite's real worker, Temporal and stripe-mock, with
// periods of a few seconds passed in through configuration; payment outcomes arrive as webhooks
// signed the way Stripe signs them (the stripe package's own test-header helper).
const WEBHOOK_SECRET = 'whsec_dermaga_test';
const XENDIT_TOKEN = 'xnd-callback-token-test';
const MIDTRANS_KEY = 'SB-Mid-server-test';
let api: TestApi;
const call = (method: string, path: string, token?: string, body?: unknown) =>
  api.request(method, `/billing${path}`, { token, body });

beforeAll(async () => {
  api = await startApi({
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    XENDIT_CALLBACK_TOKEN: XENDIT_TOKEN,
    MIDTRANS_SERVER_KEY: MIDTRANS_KEY,
    BILLING_PERIOD_SECONDS: '3',
    BILLING_DUNNING_SCHEDULE: '1,1',
    BILLING_PAYMENT_WAIT_SECONDS: '60',
    BILLING_CHECKOUT_TIMEOUT_SECONDS: '120',
  });
});
afterAll(() => api.close());

const account = (role: 'customer' | 'admin' = 'customer') => billingAccount(api, role);
let adminToken: string;
const plan = async (over: Record<string, unknown> = {}) =>
  (
    await call('POST', '/admin/plans', adminToken, {
      name: `Plan ${newId('p')}`,
      price_cents: 2999,
      quota_tokens: 1000,
      quota_requests: 100,
      soft_limit: true,
      overage_cents_per_1k_tokens: 2,
      ...over,
    })
  ).body.data;

/** A Stripe event, signed as Stripe signs it, posted to the webhook. */
const stripeEvent = (
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; timestamp?: number; secret?: string } = {},
) => postStripeEvent(api, WEBHOOK_SECRET, type, object, opts);
const subscription = (id: string) => api.db('billing.subscriptions').where({ id }).first();
const until = <T>(what: string, check: () => Promise<T | undefined | null | false>) =>
  eventually(async () => (await check()) || undefined, 60_000, what) as Promise<T>;

async function subscribe(customer: { email: string; token: string }, planId: string) {
  const res = await call('POST', '/api/v1/checkout/create', customer.token, {
    plan_id: planId,
    customer_email: customer.email,
    success_url: 'https://app.example/ok',
    cancel_url: 'https://app.example/no',
  });
  expect(res.status).toBe(201);
  const { session_id, subscription_id } = res.body.data;
  expect(
    (
      await stripeEvent('checkout.session.completed', {
        id: session_id,
        object: 'checkout.session',
        mode: 'setup',
        metadata: { subscription_id },
        setup_intent: 'seti_1',
      })
    ).body,
  ).toEqual({ received: true });
  await until(
    'the subscription to start',
    async () => (await subscription(subscription_id)).status === 'active',
  );
  return subscription_id as string;
}
/** Stripe's payment_intent.succeeded for the whole of an invoice (USD: Stripe's minor units are cents). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an invoice row
const paidIntent = (inv: Record<string, any>) => ({
  id: inv.payment_intent_id,
  object: 'payment_intent',
  amount: inv.total_cents,
  amount_received: inv.total_cents,
  currency: 'usd',
  status: 'succeeded',
  metadata: { invoice_id: inv.id },
});
/** The period invoice the workflow made after `periodStart`, once it has asked Stripe for the money. */
const periodInvoice = (subscriptionId: string, periodStart: Date) =>
  until<InvoiceRow>('the period invoice to be charged', () =>
    api
      .db('billing.invoices')
      .where({ subscription_id: subscriptionId, kind: 'period', period_start: periodStart })
      .whereNotNull('payment_intent_id')
      .first(),
  );

beforeAll(async () => {
  adminToken = (await account('admin')).token;
});

describe('a subscription, checkout to cancel, as one workflow', () => {
  it('bills each period at its end (plan + overage − credits), dunns a failed charge, cancels at period end', async () => {
    const started = Date.now();
    const c = await account();
    const p = await plan();
    const id = await subscribe(c, p.id);
    expect((await call('GET', '/api/v1/subscriptions', c.token)).body.data).toMatchObject({
      id,
      status: 'active',
      plan: { id: p.id },
      cancel_at_period_end: false,
      payment_method_id: expect.stringMatching(/^pm_/),
    });
    expect(
      (
        await call(
          'GET',
          `/api/v1/checkout/success?session_id=${(await subscription(id)).checkout_session_id}`,
        )
      ).body.data,
    ).toMatchObject({ subscription_id: id, status: 'active' });

    // Period 1: 5,000 tokens on a 1,000 quota (4 started thousands over at 2 ¢), and 500 ¢ of credit.
    const key = (await call('POST', '/api/v1/api-keys', c.token, { name: 'k', scopes: ['usage:write'] })).body
      .data.key;
    expect(
      (await call('POST', '/api/v1/usage/report', key, { event_type: 'tokens_used', quantity: 5000 })).status,
    ).toBe(200);
    await call('POST', `/admin/customers/${c.id}/credit`, adminToken, {
      amount_cents: 500,
      reason: 'welcome',
    });
    const first = await subscription(id);
    const inv1 = await periodInvoice(id, first.current_period_start);
    expect(inv1).toMatchObject({
      status: 'open',
      subtotal_cents: 2999 + 8,
      credits_applied_cents: 500,
      total_cents: 2507,
      number: expect.stringMatching(/^INV-\d{4}-\d{6}$/),
    });
    expect(
      inv1.line_items.map((l: { kind: string; amount_cents: number }) => [l.kind, l.amount_cents]),
    ).toEqual([
      ['plan', 2999],
      ['overage', 8],
      ['credit', -500],
    ]);
    expect(inv1.payment_intent_id).toMatch(/^pi_/);
    const paid = await stripeEvent('payment_intent.succeeded', paidIntent(inv1), {
      id: `evt_paid_${inv1.id}`,
    });
    expect(paid.body).toEqual({ received: true });
    const invoiceRow = (invoiceId: string) => api.db('billing.invoices').where({ id: invoiceId }).first();
    await until('the first invoice to be paid', async () => (await invoiceRow(inv1.id)).status === 'paid');
    // The same event again changes nothing.
    const stored = await api.db('billing.webhook_events').count('* as n').first();
    expect(
      (await stripeEvent('payment_intent.succeeded', paidIntent(inv1), { id: `evt_paid_${inv1.id}` })).body,
    ).toEqual({ received: true });
    expect(await api.db('billing.webhook_events').count('* as n').first()).toEqual(stored);

    // Period 2 began when period 1 ended. Its charge fails → past_due, the admins see it; the
    // retry (1 s later) succeeds → active.
    const inv2 = await periodInvoice(id, inv1.period_end);
    expect(inv2.total_cents).toBe(2999);
    await stripeEvent('payment_intent.payment_failed', {
      id: inv2.payment_intent_id,
      object: 'payment_intent',
      metadata: { invoice_id: inv2.id },
      last_payment_error: { message: 'Your card was declined.' },
    });
    await until('past_due', async () => (await subscription(id)).status === 'past_due');
    expect((await call('GET', '/admin/invoices/failed', adminToken)).body.data).toContainEqual(
      expect.objectContaining({
        invoice_id: inv2.id,
        amount: 2999,
        failure_reason: 'Your card was declined.',
      }),
    );
    const retried = await until<InvoiceRow>('the retry', async () => {
      const i = await api.db('billing.invoices').where({ id: inv2.id }).first();
      return i.attempts === 2 && i;
    });
    await stripeEvent('payment_intent.succeeded', paidIntent(retried));
    await until('active again', async () => (await subscription(id)).status === 'active');
    expect((await invoiceRow(inv2.id)).status).toBe('paid');

    // The period running now is canceled at its end; reactivating after that is refused.
    expect(
      (
        await call('POST', '/api/v1/subscriptions/cancel', c.token, {
          reason: 'Too expensive',
          cancel_immediately: false,
        })
      ).body.data,
    ).toEqual({ canceled_at: expect.any(String), cancel_at_period_end: true });
    expect((await call('POST', '/api/v1/subscriptions/reactivate', c.token)).body.data).toEqual({
      status: 'active',
      cancel_at_period_end: false,
    });
    await call('POST', '/api/v1/subscriptions/cancel', c.token, { reason: 'Too expensive' });
    await until('canceled', async () => (await subscription(id)).status === 'canceled');
    const took = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `subscription life (checkout → periods of 3 s, a charge failed and retried → cancel): ${took} s`,
    );
    expect((await call('POST', '/api/v1/subscriptions/reactivate', c.token)).body).toMatchObject({
      success: false,
      data: 'the subscription has ended; start a new one with checkout',
    });
    expect((await call('GET', '/api/v1/subscriptions', c.token)).status).toBe(404);
    // Every period was invoiced, the last one's too; each is charged and paid by its webhook.
    const invoices = await api
      .db('billing.invoices')
      .where({ subscription_id: id })
      .orderBy('created_at', 'desc');
    expect(invoices.length).toBeGreaterThanOrEqual(3);
    for (const inv of invoices.filter((i) => i.status !== 'paid')) {
      const charged = await until<InvoiceRow>(
        'the charge',
        async () => (await invoiceRow(inv.id)).payment_intent_id && invoiceRow(inv.id),
      );
      await stripeEvent('payment_intent.succeeded', paidIntent(charged));
      await until('paid', async () => (await invoiceRow(inv.id)).status === 'paid');
    }

    // Invoices: list, detail, PDF with its lines; another customer sees none of them.
    const list = await call('GET', '/api/v1/invoices?status=paid&limit=50', c.token);
    expect(list.body.data.map((i: { id: string }) => i.id)).toEqual(invoices.map((i) => i.id));
    const detail = (await call('GET', `/api/v1/invoices/${inv1.id}`, c.token)).body.data;
    expect(detail).toMatchObject({
      invoice_number: inv1.number,
      total_cents: 2507,
      status: 'paid',
      pdf_url: expect.stringContaining(`/invoices/${inv1.id}/pdf`),
    });
    const res = await fetch(`${api.url}/billing/api/v1/invoices/${inv1.id}/pdf`, {
      headers: { authorization: `Bearer ${c.token}` },
    });
    expect(res.headers.get('content-type')).toBe('application/pdf');
    // poppler's pdftotext reads the PDF the way a viewer would.
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], {
      input: Buffer.from(await res.arrayBuffer()),
    }).toString('utf8');
    for (const s of [
      `Invoice ${inv1.number}`,
      'Tokens over quota (4000)',
      'Account credit applied',
      'Total: 25.07 USD',
    ])
      expect(text).toContain(s);
    const other = await account();
    for (const path of [`/api/v1/invoices/${inv1.id}`, `/api/v1/invoices/${inv1.id}/pdf`])
      expect((await call('GET', path, other.token)).status).toBe(404);
    expect((await call('POST', `/api/v1/invoices/${inv1.id}/pay`, c.token)).status).toBe(409); // already paid
    await saveHistory(api, `billing-subscription-${id}`, 'billing/subscription-canceled');
    await saveHistory(api, `billing-invoice-${inv2.id}`, 'billing/invoice-collection-dunned');

    const overview = (await call('GET', '/admin/analytics/overview?period=last_7_days', adminToken)).body
      .data;
    expect(overview.total_revenue).toBeGreaterThanOrEqual(2507 + 2999 * 2);
    expect(overview.churn_rate).toBeGreaterThan(0);
  });

  it('upgrades with proration (an invoice for the difference), changes the payment method, and lets an admin extend a trial', async () => {
    const c = await account();
    const basic = await plan({ price_cents: 1000 });
    const pro = await plan({ price_cents: 5000 });
    const id = await subscribe(c, basic.id);
    expect(
      (await call('PUT', '/api/v1/subscriptions/upgrade', c.token, { new_plan_id: 'plan_0000000000nothing' }))
        .body,
    ).toMatchObject({ success: false, data: 'new_plan_id: no active plan plan_0000000000nothing' });
    const up = await call('PUT', '/api/v1/subscriptions/upgrade', c.token, {
      new_plan_id: pro.id,
      prorate: true,
    });
    expect(up.body.data.subscription).toMatchObject({ id, plan: { id: pro.id } });
    // A period of 3 s is mostly gone by now, so the difference is a part of 4,000 ¢, invoiced by itself.
    expect(up.body.data.invoice).toMatchObject({
      status: 'open',
      line_items: [expect.objectContaining({ kind: 'proration' })],
    });
    expect(up.body.data.invoice.total_cents).toBeGreaterThan(0);
    expect(up.body.data.invoice.total_cents).toBeLessThanOrEqual(4000);
    expect(
      (
        await call('PUT', '/api/v1/subscriptions/payment-method', c.token, {
          payment_method_id: 'pm_card_mastercard',
        })
      ).body,
    ).toEqual({ success: true, data: 'Payment method updated successfully' });
    expect(
      (await call('PUT', '/api/v1/subscriptions/payment-method', c.token, { payment_method_id: 'card' }))
        .body,
    ).toMatchObject({ success: false, data: 'payment_method_id: must be a Stripe payment method id (pm_…)' });
    expect((await subscription(id)).payment_method_id).toBe('pm_card_mastercard');

    const before = Date.parse((await subscription(id)).current_period_end);
    const trial = await call('PUT', `/admin/customers/${c.id}/subscription`, adminToken, { extend_trial: 7 });
    expect(trial.body.data.subscription).toMatchObject({ status: 'trialing', trial_end: expect.any(String) });
    expect(Date.parse(trial.body.data.subscription.current_period_end)).toBeGreaterThan(
      before + 6 * 86_400_000,
    );
    expect(
      (await call('PUT', `/admin/customers/${c.id}/subscription`, c.token, { extend_trial: 7 })).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/subscriptions/cancel', c.token, { cancel_immediately: true })).body.data,
    ).toEqual({ canceled_at: expect.any(String), cancel_at_period_end: false });
    await until('canceled now', async () => (await subscription(id)).status === 'canceled');
  });

  it('starts the next period when the last ends, paid or not: later usage counts there, on its quota, and is billed with it', async () => {
    const [hard, soft] = await Promise.all([
      plan({ quota_requests: 3, soft_limit: false }),
      plan({ quota_tokens: 1000 }),
    ]);
    const [h, s] = await Promise.all([account(), account()]);
    const [hardId, softId] = await Promise.all([subscribe(h, hard.id), subscribe(s, soft.id)]);
    const keyOf = async (token: string) =>
      (await call('POST', '/api/v1/api-keys', token, { name: 'k', scopes: ['usage:write'] })).body.data
        .key as string;
    const [hardKey, softKey] = await Promise.all([keyOf(h.token), keyOf(s.token)]);
    const report = (key: string, body: Record<string, unknown>) =>
      call('POST', '/api/v1/usage/report', key, body);

    // The hard plan's quota is spent in the first period.
    const firstHard = await subscription(hardId);
    expect((await report(hardKey, { event_type: 'api_call', quantity: 3 })).status).toBe(200);
    const inv = await periodInvoice(hardId, firstHard.current_period_start);
    expect(inv.status).toBe('open'); // charged, its payment not yet confirmed
    // After the period's end the next period's quota applies, though the last invoice is unpaid.
    const after = await report(hardKey, { event_type: 'api_call', quantity: 2, event_id: 'after-the-end' });
    expect(after.status).toBe(200);
    const counted = await api
      .db('billing.usage_events')
      .where({ customer_id: h.id, event_id: 'after-the-end' })
      .first();
    expect(counted.period_start).toEqual(inv.period_end);
    const counter = await api
      .db('billing.usage_counters')
      .where({ customer_id: h.id, period_start: inv.period_end })
      .first();
    expect(Number(counter.requests)).toBe(2);

    // A soft plan's tokens reported after the end are billed by the period they counted in.
    const firstSoft = await subscription(softId);
    await periodInvoice(softId, firstSoft.current_period_start);
    expect(
      (await report(softKey, { event_type: 'tokens_used', quantity: 3000, event_id: 'late-tokens' })).status,
    ).toBe(200);
    const late = await api
      .db('billing.usage_events')
      .where({ customer_id: s.id, event_id: 'late-tokens' })
      .first();
    expect(late.period_start.getTime()).toBeGreaterThan(firstSoft.current_period_start.getTime());
    const billed = await periodInvoice(softId, late.period_start);
    expect(billed.line_items).toContainEqual({
      kind: 'overage',
      description: 'Tokens over quota (2000)',
      quantity: 2000,
      amount_cents: 4,
    });
  });

  it('ends the subscription and its workflow when the last dunning retry fails', async () => {
    const c = await account();
    const id = await subscribe(c, (await plan()).id);
    const inv = await periodInvoice(id, (await subscription(id)).current_period_start);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const charged = await until<{ payment_intent_id: string }>(`charge ${attempt}`, async () => {
        const i = await api.db('billing.invoices').where({ id: inv.id }).first();
        return i.attempts === attempt && i;
      });
      await stripeEvent('payment_intent.payment_failed', {
        id: charged.payment_intent_id,
        object: 'payment_intent',
        metadata: { invoice_id: inv.id },
        last_payment_error: { message: 'Your card was declined.' },
      });
    }
    await until('canceled', async () => (await subscription(id)).status === 'canceled');
    expect(await subscription(id)).toMatchObject({ cancel_reason: 'payment failed after every retry' });
    expect(
      await (await api.temporal.client()).workflow.getHandle(`billing-subscription-${id}`).result(),
    ).toBe('canceled');
  });

  it('ends the subscription through its workflow when the account is deleted', async () => {
    const c = await account();
    const id = await subscribe(c, (await plan()).id);
    expect((await call('DELETE', '/api/v1/profile', c.token)).body).toEqual({
      success: true,
      data: 'Account deleted successfully',
    });
    expect(await subscription(id)).toMatchObject({ status: 'canceled', cancel_reason: 'account deleted' });
    const handle = (await api.temporal.client()).workflow.getHandle(`billing-subscription-${id}`);
    expect(await handle.result()).toBe('canceled');
  });

  it('refuses a bad checkout (no plan 400, subscribed 409); a newer supersedes an unfinished', async () => {
    const c = await account();
    const body = {
      customer_email: c.email,
      success_url: 'https://app.example/ok',
      cancel_url: 'https://app.example/no',
    };
    expect(
      (await call('POST', '/api/v1/checkout/create', c.token, { ...body, plan_id: 'plan_nope' })).body,
    ).toEqual({ success: false, data: 'plan_id: no active plan plan_nope', code: 'invalid_request' });
    const p = await plan();
    const first = await call('POST', '/api/v1/checkout/create', c.token, { ...body, plan_id: p.id });
    expect((await call('POST', '/api/v1/checkout/create', c.token, { ...body, plan_id: p.id })).status).toBe(
      201,
    );
    expect(await subscription(first.body.data.subscription_id)).toMatchObject({
      status: 'canceled',
      cancel_reason: 'superseded by a newer checkout',
    });
    await subscribe(c, p.id);
    expect((await call('POST', '/api/v1/checkout/create', c.token, { ...body, plan_id: p.id })).status).toBe(
      409,
    );
  });
});

describe('payment webhooks', () => {
  it('refuse a bad, stale or foreign Stripe signature with 400 and store nothing; unknown types are stored and answered 200', async () => {
    const count = async () => Number((await api.db('billing.webhook_events').count('* as n').first())?.n);
    const before = await count();
    expect(
      (await stripeEvent('payment_intent.succeeded', { metadata: {} }, { secret: 'whsec_someone_else' }))
        .status,
    ).toBe(400);
    expect(
      (
        await stripeEvent(
          'payment_intent.succeeded',
          { metadata: {} },
          { timestamp: Math.floor(Date.now() / 1000) - 301 },
        )
      ).body,
    ).toMatchObject({
      success: false,
      data: expect.stringContaining('Timestamp outside the tolerance zone'),
    });
    expect((await api.request('POST', '/billing/webhooks/stripe', { raw: '{"id":"evt_x"}' })).status).toBe(
      400,
    );
    expect(await count()).toBe(before);
    expect((await stripeEvent('customer.created', { id: 'cus_x' }, { id: 'evt_unknown_type' })).body).toEqual(
      { received: true },
    );
    expect(
      await api
        .db('billing.webhook_events')
        .where({ provider: 'stripe', event_id: 'evt_unknown_type' })
        .first(),
    ).toMatchObject({ type: 'customer.created', outcome: 'recorded' });
  });

  it('verify Xendit by callback token and Midtrans by Basic key and signature_key, and a paid notice pays the invoice', async () => {
    const c = await account();
    const invoiceId = newId('inv');
    await api.db('billing.invoices').insert({
      id: invoiceId,
      number: `INV-T-${invoiceId.slice(-6)}`,
      customer_id: c.id,
      kind: 'proration',
      status: 'open',
      currency: 'idr',
      line_items: '[]',
      subtotal_cents: 150000,
      total_cents: 150000,
    });
    const xendit = (token: string, body: unknown) =>
      api.request('POST', '/billing/webhooks/xendit', { body, headers: { 'x-callback-token': token } });
    expect((await xendit('wrong', { id: 'x1', external_id: invoiceId, status: 'PAID' })).status).toBe(400);
    expect((await api.db('billing.invoices').where({ id: invoiceId }).first()).status).toBe('open');
    expect(
      (
        await xendit(XENDIT_TOKEN, {
          id: `xnd_${invoiceId}`,
          external_id: invoiceId,
          status: 'PAID',
          amount: 150000,
          paid_amount: 150000,
          currency: 'IDR',
        })
      ).body,
    ).toEqual({ received: true });
    expect((await api.db('billing.invoices').where({ id: invoiceId }).first()).status).toBe('paid');

    const order = newId('inv');
    await api.db('billing.invoices').insert({
      id: order,
      number: `INV-T-${order.slice(-6)}`,
      customer_id: c.id,
      kind: 'proration',
      status: 'open',
      currency: 'idr',
      line_items: '[]',
      subtotal_cents: 50000,
      total_cents: 50000,
    });
    const note = {
      order_id: order,
      status_code: '200',
      gross_amount: '50000.00',
      currency: 'IDR',
      transaction_status: 'settlement',
      transaction_id: `mt-${order}`,
    };
    const signed = {
      ...note,
      signature_key: createHash('sha512').update(`${order}20050000.00${MIDTRANS_KEY}`).digest('hex'),
    };
    const basic = `Basic ${Buffer.from(`${MIDTRANS_KEY}:`).toString('base64')}`;
    const midtrans = (auth: string, body: unknown) =>
      api.request('POST', '/billing/webhooks/midtrans', { body, headers: { authorization: auth } });
    expect((await midtrans(basic, { ...signed, signature_key: 'f'.repeat(128) })).status).toBe(400);
    expect((await midtrans('Basic d3Jvbmc6', signed)).status).toBe(400);
    expect((await api.db('billing.invoices').where({ id: order }).first()).status).toBe('open');
    expect((await midtrans(basic, signed)).body).toEqual({ received: true });
    expect((await api.db('billing.invoices').where({ id: order }).first()).status).toBe('paid');
  });
});
