import { newId } from '../../core/ids';
import { useBilling } from '../support/billing';

const billing = useBilling();
const { call, customer, admin, subscribe, apiKey } = billing;

describe('billing plans', () => {
  it('lets admins create, list and update plans; the public sees active ones; an update counts the subscriptions it reaches', async () => {
    const token = await admin();
    const c = await customer();
    const body = {
      name: `Pro ${newId('p')}`,
      price_cents: 2999,
      quota_tokens: 50_000,
      quota_requests: 1000,
      features: { support: 'email' },
    };
    expect((await call('POST', '/admin/plans', c.token, body)).status).toBe(403);
    const created = await call('POST', '/admin/plans', token, body);
    expect(created.body.data).toMatchObject({
      ...body,
      currency: 'usd',
      period_days: 30,
      soft_limit: false,
      is_active: true,
    });
    const plan = created.body.data;
    expect((await call('POST', '/admin/plans', token, body)).status).toBe(409);
    expect(
      (await call('POST', '/admin/plans', token, { ...body, name: 'Neg', price_cents: -1 })).body,
    ).toMatchObject({ success: false, data: 'price_cents: Too small: expected number to be >=0' });
    expect((await call('GET', `/api/v1/plans/${plan.id}`)).body.data).toMatchObject({
      id: plan.id,
      name: body.name,
    });

    const sub = await subscribe(c.id, { quota_tokens: 10, quota_requests: 10 });
    await billing.api.db('billing.subscriptions').where({ customer_id: c.id }).update({ plan_id: plan.id });
    const updated = await call('PUT', `/admin/plans/${plan.id}`, token, {
      price_cents: 3499,
      quota_tokens: 75_000,
      is_active: false,
    });
    expect(updated.body.data).toMatchObject({
      plan: { price_cents: 3499, quota_tokens: 75_000, is_active: false },
      affected_subscriptions: 1,
    });
    // The running period keeps the terms it started with.
    expect(
      (await billing.api.db('billing.subscriptions').where({ customer_id: c.id }).first()).period_terms,
    ).toMatchObject({ plan_id: sub.id, quota_tokens: 10 });
    expect(
      (await call('GET', '/api/v1/plans?active=true')).body.data.map((p: { id: string }) => p.id),
    ).not.toContain(plan.id);
    expect((await call('GET', `/api/v1/plans/${plan.id}`)).status).toBe(404);
    expect(
      (await call('GET', '/admin/plans', token)).body.data.find((p: { id: string }) => p.id === plan.id),
    ).toMatchObject({ is_active: false });
  });
});

describe('billing admin', () => {
  it('lists and searches customers, shows one, grants credit, sums usage; customers get 403', async () => {
    const token = await admin();
    const c = await customer('findme');
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 10 });
    const { key } = await apiKey(c.token);
    await call('POST', '/api/v1/usage/report', key, { event_type: 'api_call', quantity: 3 });

    const found = await call(
      'GET',
      `/admin/customers?search=${encodeURIComponent(c.email)}&status=active&limit=10`,
      token,
    );
    expect(found.body.data).toEqual({
      customers: [expect.objectContaining({ id: c.id, email: c.email, subscription_status: 'active' })],
      total: 1,
      page: 1,
    });
    const detail = await call('GET', `/admin/customers/${c.id}`, token);
    expect(detail.body.data).toMatchObject({
      customer: { id: c.id },
      subscription: { status: 'active' },
      usage_stats: { current_period: { tokens: 0, requests: 3 } },
      credit_balance_cents: 0,
    });

    expect(
      (
        await call('POST', `/admin/customers/${c.id}/credit`, token, {
          amount_cents: 5000,
          reason: 'Service disruption compensation',
        })
      ).body,
    ).toEqual({ success: true, data: { credit_applied: 5000, new_balance: 5000 } });
    expect(
      (
        await call('POST', `/admin/customers/${c.id}/credit`, token, {
          amount_cents: 2500,
          reason: 'Goodwill',
        })
      ).body.data,
    ).toEqual({ credit_applied: 2500, new_balance: 7500 });
    expect(
      (await call('POST', `/admin/customers/${c.id}/credit`, token, { amount_cents: -100, reason: 'x' }))
        .body,
    ).toEqual({ success: false, data: 'amount_cents: must be positive', code: 'invalid_request' });
    expect(
      (
        await call('POST', '/admin/customers/cus_0000000000nobody/credit', token, {
          amount_cents: 1,
          reason: 'x',
        })
      ).status,
    ).toBe(404);

    const analytics = await call('GET', '/admin/analytics/usage?period=last_7_days', token);
    expect(analytics.body.data.total_requests).toBeGreaterThanOrEqual(3);
    for (const [method, path] of [
      ['GET', '/admin/customers'],
      ['GET', `/admin/customers/${c.id}`],
      ['POST', `/admin/customers/${c.id}/credit`],
      ['GET', '/admin/analytics/usage'],
      ['GET', '/admin/plans'],
      ['POST', '/admin/plans'],
      ['PUT', '/admin/plans/plan_0000000000nothing'],
    ])
      expect([path, (await call(method, path, c.token, method === 'GET' ? undefined : {})).status]).toEqual([
        path,
        403,
      ]);
  });
});
