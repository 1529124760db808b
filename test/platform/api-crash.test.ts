import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { login, startApi, eventually, uniqueDomain, type TestApi } from '../support/api';
import { billingAccount, postStripeEvent } from '../support/billing';
import { startApiProcess } from '../support/api-process';
import { stopProcess } from '../support/processes';
import { newId } from '../../core/ids';

// The API killed (SIGKILL, by the test-only fault point DERMAGA_FAULT=after-commit:<name>) right
// after it committed a create's rows and before it started the workflow: the next API process (or
// the worker's Schedule) starts it from the outbox, and it runs once.
const WEBHOOK_SECRET = 'whsec_api_crash_test';
let api: TestApi; // in-process: the database, Temporal and logins for the API processes below
const children: ChildProcess[] = [];

/** The API as its own process, with a short grace so it starts at once what an earlier one left. */
async function apiProcess(env: Record<string, string> = {}) {
  const started = await startApiProcess(
    { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, WORKFLOW_START_GRACE_SECONDS: '1', ...env },
    path.join(process.env.TEST_DATA_DIR ?? '/tmp', 'logs'),
  );
  children.push(started.child);
  return started;
}

const post = (url: string, token: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Every run Temporal has of a workflow id. */
async function runsOf(workflowId: string) {
  const client = await api.temporal.client();
  const runs: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
  return runs;
}

beforeAll(async () => {
  api = await startApi({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) await stopProcess(child);
  await api.close();
});

/** A customer's checkout on a new plan, on an API killed right after the checkout's commit. */
async function checkoutKilledAfterCommit() {
  const admin = await billingAccount(api, 'admin');
  const plan = (
    await api.request('POST', '/billing/admin/plans', {
      token: admin.token,
      body: { name: `Plan ${newId('p')}`, price_cents: 999, quota_tokens: 1000, quota_requests: 100 },
    })
  ).body.data;
  const customer = await billingAccount(api, 'customer');
  const doomed = await apiProcess({ DERMAGA_FAULT: 'after-commit:subscription.lifecycle' });
  const body = {
    plan_id: plan.id,
    customer_email: customer.email,
    success_url: 'https://app.example/ok',
    cancel_url: 'https://app.example/no',
  };
  await expect(post(`${doomed.url}/billing/api/v1/checkout/create`, customer.token, body)).rejects.toThrow();
  expect(await doomed.exited).toBe('SIGKILL');
  return customer;
}

describe('the API killed between the commit and the start', () => {
  it('a site left provisioning with a queued job becomes active once an API runs again, provisioned once', async () => {
    const token = await login(api);
    const doomed = await apiProcess({ DERMAGA_FAULT: 'after-commit:site.provision' });
    const domain = uniqueDomain('crash');
    await expect(
      post(`${doomed.url}/panel/v1/sites`, token, { domain, runtime: 'static' }),
    ).rejects.toThrow();
    expect(await doomed.exited).toBe('SIGKILL');

    // Committed, not started: before this fix nothing ever started it.
    const site = await api.db('panel.sites').where({ domain }).first();
    expect(site.status).toBe('provisioning');
    const job = await api.db('platform.jobs').where({ id: site.job_id }).first();
    expect(job.status).toBe('queued');
    const start = await api.db('platform.workflow_starts').where({ job_id: job.id }).first();
    expect([start.workflow_type, start.started_at]).toEqual(['provisionSite', null]);
    expect(await runsOf(job.workflow_id)).toEqual([]);

    const again = await apiProcess();
    const active = await eventually(
      async () => {
        const row = await api.db('panel.sites').where({ id: site.id }).first();
        return row.status === 'active' ? row : undefined;
      },
      90_000,
      `site ${site.id} to be active`,
    );
    expect(active.job_id).toBe(job.id);
    const done = await api.db('platform.jobs').where({ id: job.id }).first();
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s: { name: string }) => s.name)).toEqual([
      'create site root',
      'write nginx vhost',
      'test nginx config',
      'reload nginx',
    ]);
    expect(
      (await api.db('platform.workflow_starts').where({ id: start.id }).first()).started_at,
    ).not.toBeNull();
    expect(await runsOf(job.workflow_id)).toHaveLength(1);
    await stopProcess(again.child);
  }, 180_000);

  it("a checkout's subscription, left incomplete with no workflow, has its workflow started and follows its checkout", async () => {
    const customer = await checkoutKilledAfterCommit();

    const sub = await api.db('billing.subscriptions').where({ customer_id: customer.id }).first();
    expect(sub.status).toBe('incomplete');
    const workflowId = `billing-subscription-${sub.id}`;
    const start = await api.db('platform.workflow_starts').where({ workflow_id: workflowId }).first();
    expect(start.started_at).toBeNull();

    const again = await apiProcess();
    await eventually(
      async () =>
        (await api.db('platform.workflow_starts').where({ id: start.id }).first()).started_at
          ? true
          : undefined,
      90_000,
      'the subscription workflow to start',
    );
    // The checkout completes: the workflow that now runs takes it.
    const event = {
      id: sub.checkout_session_id,
      object: 'checkout.session',
      mode: 'setup',
      metadata: { subscription_id: sub.id },
      setup_intent: 'seti_1',
    };
    expect((await postStripeEvent(api, WEBHOOK_SECRET, 'checkout.session.completed', event)).body).toEqual({
      received: true,
    });
    await eventually(
      async () =>
        (await api.db('billing.subscriptions').where({ id: sub.id }).first()).status === 'active'
          ? true
          : undefined,
      60_000,
      'the subscription to be active',
    );
    expect(await runsOf(workflowId)).toHaveLength(1);
    await stopProcess(again.child);
  }, 180_000);

  it('a checkout completed before its workflow was started starts it and is taken by it', async () => {
    const customer = await checkoutKilledAfterCommit();
    const sub = await api.db('billing.subscriptions').where({ customer_id: customer.id }).first();

    // At once, before any reconciler's grace: the webhook finds no workflow, starts the recorded one, signals it.
    const event = {
      id: sub.checkout_session_id,
      object: 'checkout.session',
      mode: 'setup',
      metadata: { subscription_id: sub.id },
      setup_intent: 'seti_1',
    };
    expect((await postStripeEvent(api, WEBHOOK_SECRET, 'checkout.session.completed', event)).body).toEqual({
      received: true,
    });
    await eventually(
      async () =>
        (await api.db('billing.subscriptions').where({ id: sub.id }).first()).status === 'active'
          ? true
          : undefined,
      60_000,
      'the subscription to be active',
    );
    expect(await runsOf(`billing-subscription-${sub.id}`)).toHaveLength(1);
  }, 180_000);
});
