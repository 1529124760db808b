import { newId } from '../../core/ids';
import { startApi, type TestApi } from '../support/api';
import { billingAccount, liveSubscription } from '../support/billing';

// The quota rule is written once, in Postgres (billing.quota_refuses, which the counting trigger
// calls); quota-check and batch-report ask it. Here the three ways usage meets a quota must give
// the same answer at each point, edges included, so a copy of the rule drifting shows.
let api: TestApi;
const B = '/billing';
beforeAll(async () => {
  api = await startApi({});
});
afterAll(() => api.close());

type Counter = { tokens: number; requests: number };
type Ask = { event_type: 'tokens_used' | 'api_call'; quantity: number };

async function hardPlanCustomer(quota: Counter, soft = false) {
  const admin = await billingAccount(api, 'admin');
  const c = await billingAccount(api);
  const plan = await api.request('POST', `${B}/admin/plans`, {
    token: admin.token,
    body: {
      name: `Plan ${newId('p')}`,
      price_cents: 100,
      quota_tokens: quota.tokens,
      quota_requests: quota.requests,
      soft_limit: soft,
    },
  });
  await liveSubscription(api, c.id, plan.body.data);
  const key = await api.request('POST', `${B}/api/v1/api-keys`, {
    token: c.token,
    body: { name: 'k', scopes: ['usage:write', 'usage:read'] },
  });
  return { id: c.id, key: key.body.data.key as string };
}

/** Puts the period's counter at `used`, as reports (or a plan change to a smaller quota) would have. */
async function setUsed(customerId: string, used: Counter) {
  const sub = await api
    .db('billing.subscriptions')
    .where({ customer_id: customerId })
    .first('current_period_start');
  await api
    .db('billing.usage_counters')
    .insert({ customer_id: customerId, period_start: sub.current_period_start, ...used })
    .onConflict(['customer_id', 'period_start'])
    .merge();
}

/** Whether quota-check, batch-report and report each admit `ask` on top of `used`. */
async function answers(c: { id: string; key: string }, used: Counter, ask: Ask) {
  const needed =
    ask.event_type === 'tokens_used'
      ? { tokens: ask.quantity, requests: 0 }
      : { tokens: 0, requests: ask.quantity };
  await setUsed(c.id, used);
  const check = await api.request(
    'GET',
    `${B}/api/v1/usage/quota-check?tokens_needed=${needed.tokens}&requests_needed=${needed.requests}`,
    { token: c.key },
  );
  await setUsed(c.id, used);
  const batch = await api.request('POST', `${B}/api/v1/usage/batch-report`, {
    token: c.key,
    body: { events: [ask] },
  });
  await setUsed(c.id, used);
  const report = await api.request('POST', `${B}/api/v1/usage/report`, { token: c.key, body: ask });
  for (const r of [check, batch, report])
    if (r.status !== 200 && r.status !== 429) throw new Error(`${r.status} ${r.text}`);
  return {
    check: check.status === 200,
    batch: batch.body.data?.processed_count === 1,
    report: report.status === 200,
  };
}

describe('the quota rule is one rule', () => {
  it('quota-check, batch-report and report agree on a hard plan: up to the quota, at it, and past it after a plan change', async () => {
    const c = await hardPlanCustomer({ tokens: 1000, requests: 10 });
    const cases: [Counter, Ask, boolean][] = [
      [{ tokens: 999, requests: 0 }, { event_type: 'tokens_used', quantity: 1 }, true],
      [{ tokens: 999, requests: 0 }, { event_type: 'tokens_used', quantity: 2 }, false],
      [{ tokens: 1000, requests: 9 }, { event_type: 'api_call', quantity: 1 }, true],
      [{ tokens: 1000, requests: 10 }, { event_type: 'api_call', quantity: 1 }, false],
      // A plan changed now to a smaller quota (subscription-records.ts): tokens already past it.
      // Nothing more is admitted on a hard plan, not even a request with requests to spare.
      [{ tokens: 1500, requests: 0 }, { event_type: 'api_call', quantity: 1 }, false],
    ];
    for (const [used, ask, admitted] of cases)
      expect({ used, ask, ...(await answers(c, used, ask)) }).toEqual({
        used,
        ask,
        check: admitted,
        batch: admitted,
        report: admitted,
      });
  });

  it('a soft plan admits everything, past the quota too', async () => {
    const c = await hardPlanCustomer({ tokens: 100, requests: 1 }, true);
    for (const used of [
      { tokens: 100, requests: 1 },
      { tokens: 250, requests: 3 },
    ])
      expect(await answers(c, used, { event_type: 'api_call', quantity: 5 })).toEqual({
        check: true,
        batch: true,
        report: true,
      });
  });
});
