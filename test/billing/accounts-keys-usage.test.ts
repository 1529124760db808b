import { sha256 } from '../../core/crypto';
import { newId } from '../../core/ids';
import { countStatuses, eventually, startApi, uniqueIp, type TestApi } from '../support/api';
import { billingAccount, liveSubscription } from '../support/billing';
import { createMailbox } from '../support/mailbox';

// A real SMTP server on this machine receives the reset mail; the API sends it through nodemailer.
const mailbox = createMailbox();
const { mails } = mailbox;
let api: TestApi;
const B = '/billing';
const PASSWORD = 'Billing-Passw0rd!';
const call = (method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>) => api.request(method, `${B}${path}`, { token, body, headers });

beforeAll(async () => {
  const smtpUrl = await mailbox.start();
  // TRUST_PROXY: a test can log in from an address of its own (X-Forwarded-For).
  api = await startApi({
    TRUST_PROXY: 'true',
    BILLING_SMTP_URL: smtpUrl,
    BILLING_BATCH_MAX_EVENTS: '500',
  });
});
afterAll(async () => {
  await api.close();
  await mailbox.close();
});

let n = 0;
const email = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${n++}@example.com`;
async function customer(label = 'cust') {
  const address = email(label);
  const reg = await call('POST', '/api/v1/auth/register', undefined, { name: 'John Doe', email: address, password: PASSWORD });
  expect(reg.status).toBe(201);
  const login = await call('POST', '/api/v1/auth/login', undefined, { email: address, password: PASSWORD });
  return { id: reg.body.data.id as string, email: address, token: login.body.data.token as string };
}
let adminToken: Promise<string> | undefined;
/** An admin of this file's own (the bootstrap admin belongs to whichever API started first). */
const admin = () => (adminToken ??= billingAccount(api, 'admin').then((a) => a.token));

/** A plan and a live subscription period for the customer, as the subscription workflow keeps them. */
async function subscribe(customerId: string, plan: Record<string, unknown>) {
  const token = await admin();
  const created = await call('POST', '/admin/plans', token, { name: `Plan ${newId('p')}`, price_cents: 2999, ...plan });
  expect(created.status).toBe(201);
  const p = created.body.data;
  await liveSubscription(api, customerId, p);
  return p;
}
async function apiKey(token: string, scopes = ['usage:write', 'usage:read']) {
  const res = await call('POST', '/api/v1/api-keys', token, { name: 'Production Key', scopes });
  expect(res.status).toBe(201);
  return res.body.data as { id: string; key: string; prefix: string };
}

describe('billing accounts', () => {
  it('registers, logs in with an expiring JWT, reads, updates and deletes the profile', async () => {
    const c = await customer();
    const me = await call('GET', '/api/v1/profile', c.token);
    expect(me.body).toEqual({ success: true, data: { id: c.id, name: 'John Doe', email: c.email, company: null, role: 'customer', created_at: expect.any(String) } });
    expect((await call('PUT', '/api/v1/profile', c.token, { name: 'John Updated', company: 'Acme Inc' })).body.data).toMatchObject({ name: 'John Updated', company: 'Acme Inc' });
    const login = await call('POST', '/api/v1/auth/login', undefined, { email: c.email, password: PASSWORD });
    expect(Date.parse(login.body.data.expires_at) - Date.now()).toBeGreaterThan(3500_000);

    const key = await apiKey(c.token);
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 10 });
    expect((await call('DELETE', '/api/v1/profile', c.token)).body).toEqual({ success: true, data: 'Account deleted successfully' });
    expect((await call('GET', '/api/v1/profile', c.token)).status).toBe(401);
    expect((await call('POST', '/api/v1/auth/login', undefined, { email: c.email, password: PASSWORD })).status).toBe(401);
    expect((await call('POST', '/api/v1/usage/report', key.key, { event_type: 'api_call', quantity: 1 })).status).toBe(401);
    expect(await api.db('billing.subscriptions').where({ customer_id: c.id }).first()).toMatchObject({ status: 'canceled', cancel_reason: 'account deleted' });
  });

  it.each([
    [{ name: 'A', email: 'not-an-email', password: PASSWORD }, 'email', 'email: must be a valid email address'],
    [{ name: 'A', email: 'weak@example.com', password: 'password123' }, 'password', 'password: must be at least 12 characters'],
    [{ email: 'a@example.com', password: PASSWORD }, 'name', 'name: is required'],
  ])('refuses a bad registration %j with 400 naming the field', async (body, field, message) => {
    const res = await call('POST', '/api/v1/auth/register', undefined, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, data: message, code: 'invalid_request' });
    expect(field).toBe(message.split(':')[0]);
  });

  it('refuses a second registration of an email (409) and wrong passwords (401)', async () => {
    const c = await customer();
    expect((await call('POST', '/api/v1/auth/register', undefined, { name: 'X', email: c.email.toUpperCase(), password: PASSWORD })).status).toBe(409);
    expect((await call('POST', '/api/v1/auth/login', undefined, { email: c.email, password: 'Wrong-Passw0rd!' })).body).toEqual({ success: false, data: 'invalid email or password', code: 'unauthorized' });
  });

  it('resets a password with the single-use token mailed through SMTP, ending older sessions', async () => {
    const c = await customer('reset');
    const before = mails.length;
    expect((await call('POST', '/api/v1/auth/forgot-password', undefined, { email: c.email })).body).toEqual({ success: true, data: 'Password reset email sent' });
    expect((await call('POST', '/api/v1/auth/forgot-password', undefined, { email: email('nobody') })).body).toEqual({ success: true, data: 'Password reset email sent' });
    const mail = await eventually(async () => mails.slice(before).find((m) => m.to === c.email), 10_000, 'the reset mail');
    expect(mails.slice(before)).toHaveLength(1); // nothing to the unknown address
    const token = /rst_[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0] as string;
    expect(await api.db('billing.password_resets').where({ token_hash: sha256(token) }).first()).toBeDefined();
    expect(await api.db('billing.password_resets').where({ token_hash: token }).first()).toBeUndefined(); // only its hash is stored

    expect((await call('POST', '/api/v1/auth/reset-password', undefined, { token, new_password: 'short' })).body).toMatchObject({ success: false, data: 'new_password: must be at least 12 characters' });
    expect((await call('POST', '/api/v1/auth/reset-password', undefined, { token, new_password: 'New-Billing-Passw0rd!' })).body).toEqual({ success: true, data: 'Password reset successfully' });
    expect((await call('GET', '/api/v1/profile', c.token)).status).toBe(401);
    expect((await call('POST', '/api/v1/auth/reset-password', undefined, { token, new_password: 'Other-Billing-Passw0rd!' })).body).toMatchObject({ success: false, data: 'token: is invalid, used or expired; ask for a new one' });
    const fresh = await call('POST', '/api/v1/auth/login', undefined, { email: c.email, password: 'New-Billing-Passw0rd!' });
    expect((await call('GET', '/api/v1/profile', fresh.body.data.token)).status).toBe(200);
  });
});

describe('billing login under a burst', () => {
  const loginFrom = (ip: string, body: { email: string; password: string }) =>
    call('POST', '/api/v1/auth/login', undefined, body, { 'x-forwarded-for': ip });

  it('checks only 5 of 10 concurrent wrong passwords for one IP+email; the rest get 429', async () => {
    const c = await customer();
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginFrom(ip, { email: c.email, password: `Wrong-${i}` })),
    );
    expect(countStatuses(answers)).toEqual({ 401: 5, 429: 5 });
    expect(answers.find((a) => a.status === 429)?.body).toEqual({
      success: false,
      code: 'rate_limited',
      data: expect.stringMatching(/^too many failed attempts for .+; try again in \d+ s$/),
    });
    expect((await loginFrom(uniqueIp(), { email: c.email, password: PASSWORD })).status).toBe(200);
  });

  it('limits an IP across emails: of 48 concurrent unknown emails 20 are checked, 28 get 429', async () => {
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 48 }, () => loginFrom(ip, { email: email('nobody'), password: 'Wrong-Guess-1' })),
    );
    expect(countStatuses(answers)).toEqual({ 401: 20, 429: 28 });
    expect(answers.find((a) => a.status === 429)?.body.data).toMatch(
      /^too many failed attempts from this address; try again in \d+ s$/,
    );
  });
});

describe('billing plans', () => {
  it('lets admins create, list and update plans; the public sees active ones; an update counts the subscriptions it reaches', async () => {
    const token = await admin();
    const c = await customer();
    const body = { name: `Pro ${newId('p')}`, price_cents: 2999, quota_tokens: 50_000, quota_requests: 1000, features: { support: 'email' } };
    expect((await call('POST', '/admin/plans', c.token, body)).status).toBe(403);
    const created = await call('POST', '/admin/plans', token, body);
    expect(created.body.data).toMatchObject({ ...body, currency: 'usd', period_days: 30, soft_limit: false, is_active: true });
    const plan = created.body.data;
    expect((await call('POST', '/admin/plans', token, body)).status).toBe(409);
    expect((await call('POST', '/admin/plans', token, { ...body, name: 'Neg', price_cents: -1 })).body).toMatchObject({ success: false, data: 'price_cents: Too small: expected number to be >=0' });
    expect((await call('GET', `/api/v1/plans/${plan.id}`)).body.data).toMatchObject({ id: plan.id, name: body.name });

    const sub = await subscribe(c.id, { quota_tokens: 10, quota_requests: 10 });
    await api.db('billing.subscriptions').where({ customer_id: c.id }).update({ plan_id: plan.id });
    const updated = await call('PUT', `/admin/plans/${plan.id}`, token, { price_cents: 3499, quota_tokens: 75_000, is_active: false });
    expect(updated.body.data).toMatchObject({ plan: { price_cents: 3499, quota_tokens: 75_000, is_active: false }, affected_subscriptions: 1 });
    // The running period keeps the terms it started with.
    expect((await api.db('billing.subscriptions').where({ customer_id: c.id }).first()).period_terms).toMatchObject({ plan_id: sub.id, quota_tokens: 10 });
    expect((await call('GET', '/api/v1/plans?active=true')).body.data.map((p: { id: string }) => p.id)).not.toContain(plan.id);
    expect((await call('GET', `/api/v1/plans/${plan.id}`)).status).toBe(404);
    expect((await call('GET', '/admin/plans', token)).body.data.find((p: { id: string }) => p.id === plan.id)).toMatchObject({ is_active: false });
  });
});

describe('billing API keys', () => {
  it('shows a key once, stores only its hash, enforces scopes, and ends revoked and rotated keys at once', async () => {
    const c = await customer();
    const other = await customer();
    await subscribe(c.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const key = await apiKey(c.token);
    expect(key.key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(key.prefix).toBe(key.key.slice(0, 12));
    const list = await call('GET', '/api/v1/api-keys', c.token);
    expect(list.body.data).toEqual([{ id: key.id, name: 'Production Key', prefix: key.prefix, scopes: ['usage:write', 'usage:read'], created_at: expect.any(String) }]);
    expect(JSON.stringify(await api.db('billing.api_keys').where({ id: key.id }).first())).not.toContain(key.key);

    const report = (k: string) => call('POST', '/api/v1/usage/report', k, { event_type: 'api_call', quantity: 1 });
    expect((await report(key.key)).status).toBe(200);
    expect((await report(`${key.key}x`)).status).toBe(401);
    const readOnly = await apiKey(c.token, ['usage:read']);
    expect((await report(readOnly.key)).body).toEqual({ success: false, data: 'this API key lacks the usage:write scope', code: 'forbidden' });
    expect((await call('GET', '/api/v1/usage/quota-check', readOnly.key)).status).toBe(200);
    expect((await call('PUT', `/api/v1/api-keys/${readOnly.id}`, c.token, { scopes: ['usage:write'] })).body.data.scopes).toEqual(['usage:write']);
    expect((await report(readOnly.key)).status).toBe(200);
    expect((await call('PUT', `/api/v1/api-keys/${readOnly.id}`, c.token, { scopes: ['admin'] })).body).toMatchObject({ success: false, data: expect.stringMatching(/^scopes\.0: must be one of/) });

    // Another customer cannot see or touch these keys.
    for (const [method, path] of [['PUT', `/api/v1/api-keys/${key.id}`], ['DELETE', `/api/v1/api-keys/${key.id}`], ['POST', `/api/v1/api-keys/${key.id}/rotate`]])
      expect((await call(method, path, other.token, method === 'PUT' ? { name: 'mine' } : undefined)).status).toBe(404);

    const rotated = await call('POST', `/api/v1/api-keys/${key.id}/rotate`, c.token);
    expect(rotated.body.data).toEqual({ id: key.id, key: expect.stringMatching(/^sk_live_/), prefix: expect.any(String), rotated_at: expect.any(String) });
    expect((await report(key.key)).status).toBe(401);
    expect((await report(rotated.body.data.key)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, c.token)).body).toEqual({ success: true, data: 'API key revoked successfully' });
    expect((await report(rotated.body.data.key)).status).toBe(401);
    expect((await call('GET', '/api/v1/api-keys', c.token)).body.data.map((k: { id: string }) => k.id)).toEqual([readOnly.id]);
  });
});

describe('billing API keys across API processes', () => {
  it('ends a revoked key in every API process at once, though each holds live keys in memory', async () => {
    const second = await startApi();
    try {
      const c = await customer();
      await subscribe(c.id, { quota_tokens: 100_000, quota_requests: 1000 });
      const key = await apiKey(c.token);
      const viaSecond = async () => (await second.request('POST', `${B}/api/v1/usage/report`, { token: key.key, body: { event_type: 'api_call', quantity: 1 } })).status;
      expect(await viaSecond()).toBe(200);
      expect(await viaSecond()).toBe(200);
      expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, c.token)).status).toBe(200);
      await eventually(async () => ((await viaSecond()) === 401 ? true : undefined), 10_000, 'the second process to refuse the revoked key');

      // Deleting the account revokes its keys everywhere too.
      const other = await apiKey(c.token);
      const otherViaSecond = async () => (await second.request('GET', `${B}/api/v1/usage/quota-check`, { token: other.key })).status;
      expect(await otherViaSecond()).toBe(200);
      expect((await call('DELETE', '/api/v1/profile', c.token)).status).toBe(200);
      expect((await call('GET', '/api/v1/usage/quota-check', other.key)).status).toBe(401);
      await eventually(async () => ((await otherViaSecond()) === 401 ? true : undefined), 10_000, 'the second process to refuse the deleted account\'s key');
    } finally {
      await second.close();
    }
  });
});

describe('billing usage metering', () => {
  it('counts reports exactly, once per event_id, refuses what passes a hard quota with nothing recorded', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 10_000, quota_requests: 300 });
    const { key } = await apiKey(c.token);
    const report = (body: unknown, headers?: Record<string, string>) => call('POST', '/api/v1/usage/report', key, body, headers);

    const first = await report({ event_type: 'tokens_used', quantity: 1500, endpoint: '/v1/generate', event_id: 'evt-1' });
    expect(first.body).toEqual({ success: true, data: { recorded_at: expect.any(String), duplicate: false, remaining_quota: { tokens: 8500, requests: 300 } } });
    expect((await report({ event_type: 'tokens_used', quantity: 1500, event_id: 'evt-1' })).body.data).toMatchObject({ duplicate: true, remaining_quota: { tokens: 8500 } });
    expect((await report({ event_type: 'api_call', quantity: 1 }, { 'idempotency-key': 'idem-1' })).body.data.duplicate).toBe(false);
    expect((await report({ event_type: 'api_call', quantity: 1 }, { 'idempotency-key': 'idem-1' })).body.data.duplicate).toBe(true);

    for (const [body, message] of [
      [{ event_type: 'api_call', quantity: -1 }, 'quantity: must be positive'],
      [{ event_type: 'api_call', quantity: 1.5 }, 'quantity: must be a whole number'],
      [{ event_type: 'api_call', quantity: '1' }, 'quantity: must be a number'],
      [{ event_type: 'clicks', quantity: 1 }, 'event_type: must be one of: api_call, tokens_used'],
    ] as const)
      expect((await report(body)).body).toEqual({ success: false, data: message, code: 'invalid_request' });

    // 200 reports at once over many connections: every one counted, exactly.
    const results = await Promise.all(Array.from({ length: 200 }, () => report({ event_type: 'api_call', quantity: 1 })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const counter = async () => api.db('billing.usage_counters').where({ customer_id: c.id }).first();
    expect(await counter()).toMatchObject({ tokens: '1500', requests: '201' });

    const events = async () => Number((await api.db('billing.usage_events').where({ customer_id: c.id }).count('* as n').first())?.n);
    const stored = await events();
    const over = await report({ event_type: 'tokens_used', quantity: 9000 });
    expect(over.status).toBe(429);
    expect(over.body).toEqual({
      success: false, data: 'Quota exceeded', code: 'quota_exceeded',
      quota_info: expect.objectContaining({ used: { tokens: 1500, requests: 201 }, quota: { tokens: 10_000, requests: 300 }, remaining: { tokens: 8500, requests: 99 }, requested: { tokens: 9000, requests: 0 } }),
    });
    expect(await events()).toBe(stored);
    expect(await counter()).toMatchObject({ tokens: '1500', requests: '201' });

    expect((await call('GET', '/api/v1/usage/quota-check?tokens_needed=8000&requests_needed=1', key)).body).toEqual({ success: true, data: { allowed: true, remaining: { tokens: 8500, requests: 99 } } });
    expect((await call('GET', '/api/v1/usage/quota-check?tokens_needed=9000', key)).status).toBe(429);
    expect((await call('GET', '/api/v1/usage/quota-check?tokens_needed=-5', key)).body).toMatchObject({ success: false, data: expect.stringMatching(/^tokens_needed: /) });

    const usage = await call('GET', '/api/v1/usage?group_by=day', c.token);
    expect(usage.body.data).toMatchObject({ tokens_used: 1500, requests_made: 201, quota: { tokens: 10_000, requests: 300 }, breakdown: [{ date: new Date().toISOString().slice(0, 10), tokens_used: 1500, requests_made: 201 }] });
    const today = new Date().toISOString().slice(0, 10);
    expect((await call('GET', `/api/v1/usage/history?start_date=${today}&end_date=${today}&granularity=hourly`, c.token)).body.data.reduce((s: number, h: { requests_made: number }) => s + h.requests_made, 0)).toBe(201);
    expect((await call('GET', `/api/v1/usage/history?start_date=${today}&end_date=2020-01-01`, c.token)).body).toMatchObject({ success: false, data: 'end_date: must not be before start_date' });
    expect((await call('GET', '/api/v1/usage/limits', c.token)).body.data).toMatchObject({ limits: { tokens_monthly: 10_000, requests_monthly: 300 }, soft_limit: false });

    const stranger = await customer();
    expect((await call('GET', '/api/v1/usage', stranger.token)).body).toEqual({ success: false, data: 'no active subscription: subscribe to a plan first', code: 'forbidden' });
  });

  it('writes concurrent reports together yet judges each alone: a hard quota admits exactly what fits, an event_id counts once, each customer its own', async () => {
    const [a, b] = [await customer(), await customer()];
    await subscribe(a.id, { quota_tokens: 1000, quota_requests: 50 });
    await subscribe(b.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const [ka, kb] = [(await apiKey(a.token)).key, (await apiKey(b.token)).key];
    const sends: [string, unknown][] = [
      ...Array.from({ length: 80 }, (): [string, unknown] => [ka, { event_type: 'api_call', quantity: 1 }]),
      ...Array.from({ length: 40 }, (_, i): [string, unknown] => [kb, { event_type: 'api_call', quantity: 1, event_id: `same-${i % 10}` }]),
      ...Array.from({ length: 30 }, (): [string, unknown] => [kb, { event_type: 'tokens_used', quantity: 7 }]),
    ];
    const answers = await Promise.all(sends.map(([key, body]) => call('POST', '/api/v1/usage/report', key, body)));
    const ofA = answers.slice(0, 80);
    const ofB = answers.slice(80);
    expect(ofA.filter((r) => r.status === 200)).toHaveLength(50);
    expect(ofA.filter((r) => r.status === 429).every((r) => r.body.data === 'Quota exceeded')).toBe(true);
    expect(ofA.filter((r) => r.status === 429)).toHaveLength(30);
    expect(ofB.every((r) => r.status === 200)).toBe(true);
    expect(ofB.filter((r) => r.body.data.duplicate)).toHaveLength(30);

    const counter = async (id: string) => api.db('billing.usage_counters').where({ customer_id: id }).first('tokens', 'requests');
    expect(await counter(a.id)).toEqual({ tokens: '0', requests: '50' });
    expect(await counter(b.id)).toEqual({ tokens: '210', requests: '10' });
    expect(Number((await api.db('billing.usage_events').where({ customer_id: a.id }).count('* as n').first())?.n)).toBe(50);
    // Written together: the 40 events of b were stored by fewer statements than events (one now() each).
    const statements = await api.db('billing.usage_events').where({ customer_id: b.id }).countDistinct('recorded_at as n').first();
    expect(Number(statements?.n)).toBeLessThan(40);
  });

  it('batch-reports: each event accepted or refused whole, duplicates once, over-size batches refused with nothing recorded', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 5000, quota_requests: 100 });
    const { key } = await apiKey(c.token);
    const batch = (events: unknown[]) => call('POST', '/api/v1/usage/batch-report', key, { events });
    await call('POST', '/api/v1/usage/report', key, { event_type: 'api_call', quantity: 1, event_id: 'seen-before' });

    const res = await batch([
      { event_type: 'tokens_used', quantity: 1500, timestamp: new Date().toISOString(), event_id: 'b-1' },
      { event_type: 'tokens_used', quantity: -3 },
      { event_type: 'api_call', quantity: 1, event_id: 'seen-before' },
      { event_type: 'tokens_used', quantity: 1500, event_id: 'b-1' },
      { event_type: 'tokens_used', quantity: 4000 },
      { event_type: 'api_call', quantity: 2 },
    ]);
    expect(res.body).toEqual({
      success: true,
      data: {
        processed_count: 2, duplicate_count: 2, failed_count: 2,
        failed: [{ index: 1, reason: 'quantity: must be positive' }, { index: 4, reason: 'Quota exceeded' }],
        remaining_quota: { tokens: 3500, requests: 97 },
      },
    });
    const before = await api.db('billing.usage_counters').where({ customer_id: c.id }).first();
    const big = await batch(Array.from({ length: 501 }, () => ({ event_type: 'api_call', quantity: 1 })));
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ success: false, data: 'events: at most 500 per batch (got 501); nothing was recorded', code: 'batch_too_large' });
    expect(await api.db('billing.usage_counters').where({ customer_id: c.id }).first()).toEqual(before);
  });

  it('lets a soft-limit plan go over its quota and reports the overage', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 100, quota_requests: 1, soft_limit: true, overage_cents_per_1k_tokens: 2 });
    const { key } = await apiKey(c.token);
    expect((await call('POST', '/api/v1/usage/report', key, { event_type: 'tokens_used', quantity: 250 })).status).toBe(200);
    expect((await call('GET', '/api/v1/usage/quota-check?tokens_needed=10', key)).body.data).toEqual({ allowed: true, remaining: { tokens: 0, requests: 1 }, overage: true });
    expect((await call('GET', '/api/v1/usage', c.token)).body.data.overage).toEqual({ tokens: 150, requests: 0 });
  });
});

describe('billing usage refuses what it cannot store', () => {
  /** `levels` objects nested in one another, as a JSON text (JSON.stringify recurses; this does not). */
  const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const raw = (key: string, json: string) =>
    api.request('POST', `${B}/api/v1/usage/report`, { token: key, raw: json });
  const counter = async (id: string) =>
    api.db('billing.usage_counters').where({ customer_id: id }).first('tokens', 'requests');
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('should fail with 400 naming the field for metadata too deep or too large, a NUL, or an implausible timestamp', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 100 });
    const { key } = await apiKey(c.token);
    const deep = await raw(key, `{"event_type":"api_call","quantity":1,"metadata":${nested(6000)}}`);
    expect([deep.status, deep.body]).toEqual([
      400,
      { success: false, data: 'metadata: must not nest deeper than 8 levels', code: 'invalid_request' },
    ]);
    for (const [event, message] of [
      [{ metadata: { blob: 'x'.repeat(17_000) } }, 'metadata: must be at most 16384 bytes as JSON'],
      [{ metadata: { note: 'a\u0000b' } }, 'metadata.note: must not contain NUL (\\u0000) characters'],
      [{ endpoint: '/v1/\u0000' }, 'endpoint: must not contain NUL (\\u0000) characters'],
      [{ timestamp: '2026-12-01T10:00:00+17:30' }, 'timestamp: UTC offset must be between -12:00 and +14:00'],
      [
        { timestamp: '0909-01-01T00:00:00Z' },
        'timestamp: must be within the last 35 days and 5 minutes ahead at most',
      ],
      [
        { timestamp: '9999-12-31T00:00:00Z' },
        'timestamp: must be within the last 35 days and 5 minutes ahead at most',
      ],
    ] as const) {
      const res = await call('POST', '/api/v1/usage/report', key, {
        event_type: 'api_call',
        quantity: 1,
        ...event,
      });
      expect([res.status, res.body]).toEqual([
        400,
        { success: false, data: message, code: 'invalid_request' },
      ]);
    }
    expect(await counter(c.id)).toBeUndefined();
    // Within bounds: eight levels, a late event, a real offset.
    const fine = [
      { metadata: JSON.parse(nested(8)) },
      { timestamp: ago(34 * 86_400_000) },
      { timestamp: new Date(Date.now() + 60_000).toISOString().replace('Z', '+00:00') },
      // An hour ago written as a wall clock at +14:00 and at -12:00.
      { timestamp: new Date(Date.now() - 3600_000 + 14 * 3600_000).toISOString().replace('Z', '+14:00') },
      { timestamp: new Date(Date.now() - 3600_000 - 12 * 3600_000).toISOString().replace('Z', '-12:00') },
    ];
    for (const event of fine)
      expect(
        (await call('POST', '/api/v1/usage/report', key, { event_type: 'api_call', quantity: 1, ...event }))
          .status,
      ).toBe(200);
  });

  it('refuses a bad event of a batch alone, recording the rest', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 100 });
    const { key } = await apiKey(c.token);
    const res = await call('POST', '/api/v1/usage/batch-report', key, {
      events: [
        { event_type: 'api_call', quantity: 1 },
        { event_type: 'api_call', quantity: 1, timestamp: '2026-12-01T10:00:00+17:30' },
        { event_type: 'api_call', quantity: 1, metadata: JSON.parse(nested(9)) },
        { event_type: 'api_call', quantity: 1, timestamp: '9999-12-31T00:00:00Z' },
        { event_type: 'api_call', quantity: 2, timestamp: ago(86_400_000) },
      ],
    });
    expect(res.body).toEqual({
      success: true,
      data: {
        processed_count: 2,
        duplicate_count: 0,
        failed_count: 3,
        failed: [
          { index: 1, reason: 'timestamp: UTC offset must be between -12:00 and +14:00' },
          { index: 2, reason: 'metadata: must not nest deeper than 8 levels' },
          { index: 3, reason: 'timestamp: must be within the last 35 days and 5 minutes ahead at most' },
        ],
        remaining_quota: { tokens: 1000, requests: 97 },
      },
    });
  });

  it("does not let one customer's bad reports fail another's concurrent ones", async () => {
    const [a, b] = [await customer(), await customer()];
    await subscribe(a.id, { quota_tokens: 1000, quota_requests: 1000 });
    await subscribe(b.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const [ka, kb] = [(await apiKey(a.token)).key, (await apiKey(b.token)).key];
    const bad = [
      `{"event_type":"api_call","quantity":1,"metadata":${nested(6000)}}`,
      '{"event_type":"api_call","quantity":1,"timestamp":"2026-12-01T10:00:00+17:30"}',
      '{"event_type":"api_call","quantity":1,"metadata":{"k":"\\u0000"}}',
    ];
    const sends = Array.from({ length: 300 }, (_, i) =>
      i % 10 === 0 ? raw(ka, bad[(i / 10) % bad.length]) : raw(kb, '{"event_type":"api_call","quantity":1}'),
    );
    const answers = await Promise.all(sends);
    const ofA = answers.filter((_, i) => i % 10 === 0);
    const ofB = answers.filter((_, i) => i % 10 !== 0);
    expect(ofB.map((r) => r.status)).toEqual(ofB.map(() => 200));
    expect(await counter(b.id)).toEqual({ tokens: '0', requests: '270' });
    expect(ofA.map((r) => r.status)).toEqual(ofA.map(() => 400));
    expect(await counter(a.id)).toBeUndefined();
  });

  it("fails only the report whose value the database refuses, writing every other customer's", async () => {
    // A soft-limit counter at the edge of bigint: one more token report overflows it in the statement.
    const [a, b] = [await customer(), await customer()];
    await subscribe(a.id, { quota_tokens: 1000, quota_requests: 1000, soft_limit: true });
    await subscribe(b.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const { current_period_start } = await api
      .db('billing.subscriptions')
      .where({ customer_id: a.id })
      .first('current_period_start');
    await api
      .db('billing.usage_counters')
      .insert({
        customer_id: a.id,
        period_start: current_period_start,
        tokens: '9223372036854775000',
        requests: 0,
      });
    const [ka, kb] = [(await apiKey(a.token)).key, (await apiKey(b.token)).key];
    const sends = Array.from({ length: 200 }, (_, i) =>
      i % 20 === 0
        ? call('POST', '/api/v1/usage/report', ka, { event_type: 'tokens_used', quantity: 1_000_000 })
        : call('POST', '/api/v1/usage/report', kb, { event_type: 'api_call', quantity: 1 }),
    );
    const answers = await Promise.all(sends);
    const ofA = answers.filter((_, i) => i % 20 === 0);
    const ofB = answers.filter((_, i) => i % 20 !== 0);
    expect(ofB.map((r) => r.status)).toEqual(ofB.map(() => 200));
    expect(await counter(b.id)).toEqual({ tokens: '0', requests: '190' });
    expect(ofA.map((r) => [r.status, r.body])).toEqual(
      ofA.map(() => [
        422,
        {
          success: false,
          data: 'the event cannot be stored: quantity out of range for its counter',
          code: 'unprocessable',
        },
      ]),
    );
    expect(await counter(a.id)).toEqual({ tokens: '9223372036854775000', requests: '0' });
    // A batch that would overflow it is refused whole, nothing recorded.
    const batch = await call('POST', '/api/v1/usage/batch-report', ka, {
      events: [
        { event_type: 'api_call', quantity: 1 },
        { event_type: 'tokens_used', quantity: 1_000_000 },
      ],
    });
    expect([batch.status, batch.body]).toEqual([
      422,
      { success: false, data: 'the batch cannot be stored: quantity out of range for its counter', code: 'unprocessable' },
    ]);
    expect(await counter(a.id)).toEqual({ tokens: '9223372036854775000', requests: '0' });
  });
});

describe('billing admin', () => {
  it('lists and searches customers, shows one, grants credit, sums usage; customers get 403', async () => {
    const token = await admin();
    const c = await customer('findme');
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 10 });
    const { key } = await apiKey(c.token);
    await call('POST', '/api/v1/usage/report', key, { event_type: 'api_call', quantity: 3 });

    const found = await call('GET', `/admin/customers?search=${encodeURIComponent(c.email)}&status=active&limit=10`, token);
    expect(found.body.data).toEqual({ customers: [expect.objectContaining({ id: c.id, email: c.email, subscription_status: 'active' })], total: 1, page: 1 });
    const detail = await call('GET', `/admin/customers/${c.id}`, token);
    expect(detail.body.data).toMatchObject({ customer: { id: c.id }, subscription: { status: 'active' }, usage_stats: { current_period: { tokens: 0, requests: 3 } }, credit_balance_cents: 0 });

    expect((await call('POST', `/admin/customers/${c.id}/credit`, token, { amount_cents: 5000, reason: 'Service disruption compensation' })).body).toEqual({ success: true, data: { credit_applied: 5000, new_balance: 5000 } });
    expect((await call('POST', `/admin/customers/${c.id}/credit`, token, { amount_cents: 2500, reason: 'Goodwill' })).body.data).toEqual({ credit_applied: 2500, new_balance: 7500 });
    expect((await call('POST', `/admin/customers/${c.id}/credit`, token, { amount_cents: -100, reason: 'x' })).body).toEqual({ success: false, data: 'amount_cents: must be positive', code: 'invalid_request' });
    expect((await call('POST', '/admin/customers/cus_0000000000nobody/credit', token, { amount_cents: 1, reason: 'x' })).status).toBe(404);

    const analytics = await call('GET', '/admin/analytics/usage?period=last_7_days', token);
    expect(analytics.body.data.total_requests).toBeGreaterThanOrEqual(3);
    for (const [method, path] of [['GET', '/admin/customers'], ['GET', `/admin/customers/${c.id}`], ['POST', `/admin/customers/${c.id}/credit`], ['GET', '/admin/analytics/usage'], ['GET', '/admin/plans'], ['POST', '/admin/plans'], ['PUT', '/admin/plans/plan_0000000000nothing']])
      expect([path, (await call(method, path, c.token, method === 'GET' ? undefined : {})).status]).toEqual([path, 403]);
  });
});
