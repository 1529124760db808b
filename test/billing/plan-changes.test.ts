import { newId } from '../../core/ids';
import { eventually, startApi, type TestApi } from '../support/api';
import { billingAccount, postStripeEvent } from '../support/billing';

// Plan changes within one period, on the suite's real worker, Temporal and stripe-mock. A period
// here is 20 s: long enough for a run of changes and their payments to land inside it. The server
// makes each change at an instant between the test's clock readings before and after the request,
// so every expected figure is a range worked out from those readings and the period's dates.
const WEBHOOK_SECRET = 'whsec_dermaga_test';
let api: TestApi;
let adminToken: string;
const call = (method: string, path: string, token?: string, body?: unknown) =>
  api.request(method, `/billing${path}`, { token, body });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of billing tables
type Row = Record<string, any>;

beforeAll(async () => {
  api = await startApi({
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    BILLING_PERIOD_SECONDS: '20',
    BILLING_DUNNING_SCHEDULE: '1,1',
    BILLING_PAYMENT_WAIT_SECONDS: '60',
    BILLING_CHECKOUT_TIMEOUT_SECONDS: '120',
  });
  adminToken = (await billingAccount(api, 'admin')).token;
});
afterAll(() => api.close());

const until = <T>(what: string, check: () => Promise<T | undefined | null | false>) =>
  eventually(async () => (await check()) || undefined, 60_000, what) as Promise<T>;
const plan = async (price_cents: number) =>
  (
    await call('POST', '/admin/plans', adminToken, {
      name: `Plan ${newId('p')}`,
      price_cents,
      quota_tokens: 1000,
      quota_requests: 100,
      soft_limit: true,
    })
  ).body.data.id as string;
const subscription = (id: string): Promise<Row> => api.db('billing.subscriptions').where({ id }).first();
const invoice = (id: string): Promise<Row> => api.db('billing.invoices').where({ id }).first();

/** A Stripe event, signed as Stripe signs it, posted to the webhook. */
async function stripeEvent(type: string, object: Record<string, unknown>) {
  expect((await postStripeEvent(api, WEBHOOK_SECRET, type, object)).body).toEqual({ received: true });
}

async function subscribe(planId: string) {
  const c = await billingAccount(api);
  const res = await call('POST', '/api/v1/checkout/create', c.token, {
    plan_id: planId,
    customer_email: c.email,
    success_url: 'https://app.example/ok',
    cancel_url: 'https://app.example/no',
  });
  const { session_id, subscription_id } = res.body.data;
  await stripeEvent('checkout.session.completed', {
    id: session_id,
    object: 'checkout.session',
    mode: 'setup',
    metadata: { subscription_id },
    setup_intent: 'seti_1', // an id, as Stripe sends it: the card is read from the SetupIntent
  });
  const s = await until<Row>('the subscription to start', async () => {
    const s = await subscription(subscription_id);
    return s.status === 'active' && s;
  });
  return {
    ...c,
    subscriptionId: subscription_id as string,
    start: new Date(s.current_period_start).getTime(),
    end: new Date(s.current_period_end).getTime(),
  };
}
type Sub = Awaited<ReturnType<typeof subscribe>>;

/** A prorated plan change, with the instants between which the server made it. */
async function change(sub: Sub, planId: string) {
  const before = Date.now();
  const res = await call('PUT', '/api/v1/subscriptions/upgrade', sub.token, {
    new_plan_id: planId,
    prorate: true,
  });
  const after = Date.now();
  expect(res.status).toBe(200);
  expect(after).toBeLessThan(sub.end); // the change fell in the period this test reasons about
  return {
    before,
    after,
    invoice: res.body.data.invoice as Row | null,
    credit: res.body.data.credit_cents as number,
  };
}
type Change = Awaited<ReturnType<typeof change>>;

/** The range of `cents × (part of the period left after the change)`, rounded as the server rounds. */
const rest = (sub: Sub, cents: number, c: Change) => {
  const length = sub.end - sub.start;
  return [
    Math.round((cents * (sub.end - c.after)) / length) - 1,
    Math.round((cents * (sub.end - c.before)) / length) + 1,
  ] as const;
};
const within = (value: number, [low, high]: readonly [number, number]) => {
  expect(value).toBeGreaterThanOrEqual(low);
  expect(value).toBeLessThanOrEqual(high);
};

/** The range of the period's time-weighted price: each plan's price for the time it was in force. */
function due(sub: Sub, first: number, changes: { c: Change; price: number }[]) {
  const length = sub.end - sub.start;
  let [low, high] = [0, 0];
  const marks = [
    { early: sub.start, late: sub.start, price: first },
    ...changes.map(({ c, price }) => ({ early: c.before, late: c.after, price })),
  ];
  marks.forEach((m, i) => {
    const next = marks[i + 1] ?? { early: sub.end, late: sub.end };
    low += (m.price * Math.max(0, next.early - m.late)) / length;
    high += (m.price * (next.late - m.early)) / length;
  });
  return [Math.floor(low) - 1, Math.ceil(high) + 1] as const;
}

/** Pays each proration invoice once its collection has asked Stripe for the money (the webhook says so). */
async function payProrations(invoices: Row[]) {
  for (const inv of invoices) {
    const charged = await until<Row>(`proration invoice ${inv.id} to be charged`, async () => {
      const i = await invoice(inv.id);
      return i.payment_intent_id && i;
    });
    await stripeEvent('payment_intent.succeeded', {
      id: charged.payment_intent_id,
      object: 'payment_intent',
      amount: charged.total_cents,
      amount_received: charged.total_cents,
      currency: charged.currency,
      status: 'succeeded',
      metadata: { invoice_id: inv.id },
    });
    await until(
      `proration invoice ${inv.id} to be paid`,
      async () => (await invoice(inv.id)).status === 'paid',
    );
  }
}

/**
 * What the period cost the customer once closed: its invoice's plan lines, plus the proration
 * invoices, less the credit the close gave back (never more than the proration invoices paid).
 */
async function periodCost(sub: Sub, prorations: Row[]) {
  const closed = await until<Row>('the period invoice', () =>
    api
      .db('billing.invoices')
      .where({ subscription_id: sub.subscriptionId, kind: 'period', period_start: new Date(sub.start) })
      .first(),
  );
  const planPart = (closed.line_items as { kind: string; amount_cents: number }[])
    .filter((l) => l.kind === 'plan' || l.kind === 'proration')
    .reduce((n, l) => n + l.amount_cents, 0);
  expect(planPart).toBeGreaterThanOrEqual(0);
  const rows = await Promise.all(prorations.map((p) => invoice(p.id)));
  for (const p of rows) expect(p.paid_at.getTime()).toBeLessThan(closed.created_at.getTime()); // paid before the close
  const prorated = rows.reduce((n, p) => n + p.subtotal_cents, 0);
  const granted = Number(
    (
      await api
        .db('billing.credits')
        .where({ customer_id: sub.id })
        .where('amount_cents', '>', 0)
        .sum('amount_cents as n')
        .first()
    )?.n ?? 0,
  );
  expect(granted).toBeLessThanOrEqual(prorated);
  return planPart + prorated - granted;
}
const creditBalance = async (customerId: string) =>
  Number(
    (await api.db('billing.credits').where({ customer_id: customerId }).sum('amount_cents as n').first())
      ?.n ?? 0,
  );

describe('plan changes within a period', () => {
  it('10,000 ↔ 0 four round trips: each upgrade is invoiced, no credit is minted, the period costs its time on the 10,000 plan', async () => {
    const [big, free] = await Promise.all([plan(10_000), plan(0)]);
    const sub = await subscribe(big);
    const changes: { c: Change; price: number }[] = [];
    for (let trip = 0; trip < 4; trip++) {
      const down = await change(sub, free);
      expect(down.invoice).toBeNull();
      within(down.credit, rest(sub, 10_000, down));
      const up = await change(sub, big);
      expect(up.invoice).not.toBeNull();
      within(up.invoice!.total_cents, rest(sub, 10_000, up));
      changes.push({ c: down, price: 0 }, { c: up, price: 10_000 });
    }
    // A downgrade lowers what the period will be billed; it puts nothing on the credit ledger.
    expect(await creditBalance(sub.id)).toBe(0);
    const prorations = changes.map(({ c }) => c.invoice).filter((i): i is Row => i !== null);
    await payProrations(prorations);
    within(await periodCost(sub, prorations), due(sub, 10_000, changes));
  });

  it('soft 2,000 → pro 5,000 → lite 500: the downgrade takes the rest of the period at 5,000 − 500 off', async () => {
    const [soft, pro, lite] = await Promise.all([plan(2_000), plan(5_000), plan(500)]);
    const sub = await subscribe(soft);
    const up = await change(sub, pro);
    within(up.invoice!.total_cents, rest(sub, 3_000, up));
    const down = await change(sub, lite);
    expect(down.invoice).toBeNull();
    within(down.credit, rest(sub, 4_500, down));
    await payProrations([up.invoice!]);
    within(
      await periodCost(sub, [up.invoice!]),
      due(sub, 2_000, [
        { c: up, price: 5_000 },
        { c: down, price: 500 },
      ]),
    );
    // The next period bills the plan in force.
    expect((await subscription(sub.subscriptionId)).period_terms).toMatchObject({
      plan_id: lite,
      price_cents: 500,
    });
  });
});

describe('a proration invoice', () => {
  it('is charged at once and its payment recorded; `pay` and its checkout pay the next one', async () => {
    const [basic, pro] = await Promise.all([plan(1_000), plan(5_000)]);
    const sub = await subscribe(basic);
    const first = (await change(sub, pro)).invoice!;
    expect(first).toMatchObject({ status: 'open' });
    await payProrations([first]);

    await change(sub, basic);
    const second = (await change(sub, pro)).invoice!;
    const pay = await call('POST', `/api/v1/invoices/${second.id}/pay`, sub.token);
    expect(pay.body.data.payment_intent_url).toEqual(expect.any(String));
    const session = (await invoice(second.id)).checkout_session_id;
    await stripeEvent('checkout.session.completed', {
      id: session,
      object: 'checkout.session',
      mode: 'payment',
      payment_status: 'paid',
      amount_total: (await invoice(second.id)).total_cents,
      currency: (await invoice(second.id)).currency,
      metadata: { invoice_id: second.id },
    });
    expect(
      await until<Row>('the paid checkout to pay it', async () => {
        const i = await invoice(second.id);
        return i.status === 'paid' && i;
      }),
    ).toMatchObject({ paid_at: expect.any(Date) });
    expect((await subscription(sub.subscriptionId)).status).toBe('active');
  });
});
