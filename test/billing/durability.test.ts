import { newId } from '../../core/ids';
import { eventually, startApi, type TestApi } from '../support/api';
import { billingAccount, postStripeEvent } from '../support/billing';
import { waitForLine } from '../support/processes';
import { killableWorkers, privateNamespace } from '../support/worker-kill';

// Subscriptions of this API run in a Temporal namespace of this file's own, on control workers this
// test starts and kills (the suite's worker polls the default namespace, so it cannot take over).
const NAMESPACE = `durable-billing-${process.pid}`;
const WEBHOOK_SECRET = 'whsec_dermaga_durable';
const workers = killableWorkers(NAMESPACE);
const controlEnv = {
  WORKER_ROLES: 'control',
  TEMPORAL_NAMESPACE: NAMESPACE,
  PANEL_SSL_RENEW_SCHEDULE: 'off',
  PANEL_BACKUP_SCHEDULE: 'off',
};
let api: TestApi;

beforeAll(async () => {
  api = await startApi({
    TEMPORAL_NAMESPACE: NAMESPACE,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    BILLING_PERIOD_SECONDS: '3',
    BILLING_PAYMENT_WAIT_SECONDS: '120',
    BILLING_CHECKOUT_TIMEOUT_SECONDS: '120',
  });
  await privateNamespace(await api.temporal.client(), NAMESPACE);
}, 60_000);
afterAll(async () => {
  await workers.stopAll();
  await api.close();
});

const call = (method: string, path: string, token?: string, body?: unknown) =>
  api.request(method, `/billing${path}`, { token, body });
const until = <T>(what: string, check: () => Promise<T | undefined | null | false>) =>
  eventually(async () => (await check()) || undefined, 90_000, what) as Promise<T>;
const subscription = (id: string) => api.db('billing.subscriptions').where({ id }).first();
const invoicesOf = (subscriptionId: string) =>
  api
    .db('billing.invoices')
    .where({ subscription_id: subscriptionId, kind: 'period' })
    .orderBy('period_start');
const invoice = (id: string) => api.db('billing.invoices').where({ id }).first();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an invoice row
const payInFull = (inv: Record<string, any>) =>
  postStripeEvent(api, WEBHOOK_SECRET, 'payment_intent.succeeded', {
    id: inv.payment_intent_id,
    object: 'payment_intent',
    amount: inv.total_cents,
    amount_received: inv.total_cents,
    currency: 'usd',
    status: 'succeeded',
    metadata: { invoice_id: inv.id },
  });

describe('a control worker killed while it closes a subscription period', () => {
  it('is replaced, and the period is closed once: one invoice, charged once, the next period started once', async () => {
    // Killed after the close committed (invoice written, next period started) but before Temporal heard of it.
    const doomed = await workers.start('test/support/slow-host-worker.ts', {
      ...controlEnv,
      PAUSE_AFTER: 'closePeriod',
      PAUSE_AFTER_MS: '3000',
    });
    const closed = waitForLine(doomed, /activity done: closePeriod/, 90_000);
    const admin = (await billingAccount(api, 'admin')).token;
    const customer = await billingAccount(api);
    const plan = (
      await call('POST', '/admin/plans', admin, {
        name: `Plan ${newId('p')}`,
        price_cents: 1500,
        quota_tokens: 1000,
        quota_requests: 100,
        soft_limit: true,
        overage_cents_per_1k_tokens: 2,
      })
    ).body.data;
    const checkout = await call('POST', '/api/v1/checkout/create', customer.token, {
      plan_id: plan.id,
      customer_email: customer.email,
      success_url: 'https://app.example/ok',
      cancel_url: 'https://app.example/no',
    });
    expect(checkout.status).toBe(201);
    const { session_id, subscription_id: id } = checkout.body.data;
    await postStripeEvent(api, WEBHOOK_SECRET, 'checkout.session.completed', {
      id: session_id,
      object: 'checkout.session',
      mode: 'setup',
      metadata: { subscription_id: id },
      setup_intent: 'seti_1',
    });
    await until('the subscription to start', async () => (await subscription(id)).status === 'active');
    const first = await subscription(id);

    await closed;
    await workers.kill(doomed);
    const [inv1] = await invoicesOf(id);
    expect(inv1).toMatchObject({
      period_start: first.current_period_start,
      period_end: first.current_period_end,
      total_cents: 1500,
    });
    expect((await subscription(id)).current_period_start).toEqual(first.current_period_end);

    await workers.start('worker/index.ts', controlEnv);
    const charged = await until<Record<string, unknown>>(
      'the first invoice to be charged',
      async () => (await invoice(inv1.id)).payment_intent_id && invoice(inv1.id),
    );
    expect((await payInFull(charged)).body).toEqual({ received: true });
    await until('the first invoice to be paid', async () => (await invoice(inv1.id)).status === 'paid');
    expect(
      await call('POST', '/api/v1/subscriptions/cancel', customer.token, {
        cancel_immediately: true,
        reason: 'done',
      }),
    ).toMatchObject({ status: 200 });
    await until('canceled', async () => (await subscription(id)).status === 'canceled');

    // Each period closed once: one invoice per period, back to back, each charged once.
    const invoices = await invoicesOf(id);
    expect(
      invoices.filter((i) => i.period_start.getTime() === first.current_period_start.getTime()),
    ).toHaveLength(1);
    for (let i = 1; i < invoices.length; i++)
      expect(invoices[i].period_start).toEqual(invoices[i - 1].period_end);
    expect(await invoice(inv1.id)).toMatchObject({ status: 'paid', attempts: 1 });

    // Nothing left running: every open invoice's collection ends once it is paid.
    for (const inv of invoices.filter((i) => i.status !== 'paid')) {
      const due = await until<Record<string, unknown>>(
        'the charge',
        async () => (await invoice(inv.id)).payment_intent_id && invoice(inv.id),
      );
      await payInFull(due);
      await until('paid', async () => (await invoice(inv.id)).status === 'paid');
    }
    const client = await api.temporal.client();
    const running = () =>
      client.workflowService
        .countWorkflowExecutions({ namespace: NAMESPACE, query: 'ExecutionStatus="Running"' })
        .then((r) => Number(r.count));
    await until('no workflow to run in the namespace', async () => (await running()) === 0);
    const collections = await client.workflowService.countWorkflowExecutions({
      namespace: NAMESPACE,
      query: `WorkflowId="billing-invoice-${inv1.id}"`,
    });
    expect(Number(collections.count)).toBe(1);
  }, 240_000);
});
