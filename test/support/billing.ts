import Stripe from 'stripe';
import { planTerms } from '../../activities/billing/terms';
import type { PlanRow } from '../../types/billing';
import { hashPassword } from '../../core/crypto';
import { newId } from '../../core/ids';
import { startApi, type TestApi } from './api';

const PASSWORD = 'Billing-Passw0rd!';
let hashed: Promise<string> | undefined;
let n = 0;

/** A billing customer or admin of the calling test's own, logged in: id, email and JWT. */
export async function billingAccount(api: TestApi, role: 'customer' | 'admin' = 'customer') {
  const email = `${role}-${process.pid}-${Date.now().toString(36)}-${n++}@example.com`;
  const id = newId('cus');
  hashed ??= hashPassword(PASSWORD);
  await api
    .db('billing.customers')
    .insert({ id, name: `${role} ${n}`, email, password_hash: await hashed, role });
  const res = await api.request('POST', '/billing/api/v1/auth/login', {
    body: { email, password: PASSWORD },
  });
  if (res.status !== 200) throw new Error(`billing login as ${email} failed: ${res.status} ${res.text}`);
  return { id, email, token: res.body.data.token as string };
}

/**
 * A live 30-day period on `plan` (a billing.plans row as the admin API answers it), written as the
 * subscription workflow keeps it but with no workflow behind it: for metering usage without a checkout.
 */
export async function liveSubscription(api: TestApi, customerId: string, plan: Record<string, unknown>) {
  const start = new Date();
  const id = newId('sub');
  await api.db('billing.subscriptions').insert({
    id,
    customer_id: customerId,
    plan_id: plan.id,
    status: 'active',
    current_period_start: start,
    current_period_end: new Date(start.getTime() + 30 * 86_400_000),
    // The admin API's JSON of a plan has the row's columns planTerms reads.
    period_terms: JSON.stringify(planTerms(plan as unknown as PlanRow)),
  });
  return id;
}

const stripeSigner = new Stripe('sk_test_unused');

/**
 * A Stripe event around `object`, signed as Stripe signs it (the stripe package's own test-header
 * helper) with the webhook secret the test's API was given, posted to billing's Stripe webhook.
 */
export function postStripeEvent(
  api: TestApi,
  secret: string,
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; timestamp?: number; secret?: string } = {},
) {
  const payload = JSON.stringify({
    id: opts.id ?? `evt_${newId('e')}`,
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  });
  const header = stripeSigner.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? secret,
    timestamp: opts.timestamp,
  });
  return api.request('POST', '/billing/webhooks/stripe', {
    raw: payload,
    headers: { 'stripe-signature': header },
  });
}

/**
 * A billing API of the calling test file's own (started before its tests, closed after them) and
 * the steps its tests take through it: a registered and logged-in customer, an admin of the file's
 * own (the bootstrap admin belongs to whichever API started first), a plan with a live period, an
 * API key. `env` may be a function, for what is known only once the test's own servers run.
 */
export function useBilling(env: Record<string, string> | (() => Promise<Record<string, string>>) = {}) {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await startApi(typeof env === 'function' ? await env() : env);
  });
  afterAll(() => api?.close());
  const the = () => {
    if (!api) throw new Error('useBilling: the API starts in beforeAll');
    return api;
  };
  const call = (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => the().request(method, `/billing${path}`, { token, body, headers });
  /** An address no other test registers. */
  const email = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${n++}@example.com`;

  /** Registers through the API and logs in. */
  async function customer(label = 'cust') {
    const address = email(label);
    const reg = await call('POST', '/api/v1/auth/register', undefined, {
      name: 'John Doe',
      email: address,
      password: PASSWORD,
    });
    expect(reg.status).toBe(201);
    const login = await call('POST', '/api/v1/auth/login', undefined, { email: address, password: PASSWORD });
    return { id: reg.body.data.id as string, email: address, token: login.body.data.token as string };
  }
  let adminToken: Promise<string> | undefined;
  const admin = () => (adminToken ??= billingAccount(the(), 'admin').then((a) => a.token));

  /** A plan and a live subscription period for the customer, as the subscription workflow keeps them. */
  async function subscribe(customerId: string, plan: Record<string, unknown>) {
    const token = await admin();
    const created = await call('POST', '/admin/plans', token, {
      name: `Plan ${newId('p')}`,
      price_cents: 2999,
      ...plan,
    });
    expect(created.status).toBe(201);
    const p = created.body.data;
    await liveSubscription(the(), customerId, p);
    return p;
  }
  async function apiKey(token: string, scopes = ['usage:write', 'usage:read']) {
    const res = await call('POST', '/api/v1/api-keys', token, { name: 'Production Key', scopes });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; key: string; prefix: string };
  }

  return {
    get api() {
      return the();
    },
    call,
    email,
    customer,
    admin,
    subscribe,
    apiKey,
    PASSWORD,
  };
}
