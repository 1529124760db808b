import Stripe from 'stripe';
import { planTerms } from '../../activities/billing/terms';
import { hashPassword } from '../../core/crypto';
import { newId } from '../../core/ids';
import type { TestApi } from './api';

const PASSWORD = 'Billing-Passw0rd!';
let hashed: Promise<string> | undefined;
let n = 0;

/** A billing customer or admin of the calling test's own, logged in: id, email and JWT. */
export async function billingAccount(api: TestApi, role: 'customer' | 'admin' = 'customer') {
  const email = `${role}-${process.pid}-${Date.now().toString(36)}-${n++}@example.com`;
  const id = newId('cus');
  hashed ??= hashPassword(PASSWORD);
  await api.db('billing.customers').insert({ id, name: `${role} ${n}`, email, password_hash: await hashed, role });
  const res = await api.request('POST', '/billing/api/v1/auth/login', { body: { email, password: PASSWORD } });
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
    period_terms: JSON.stringify(planTerms(plan)),
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
  return api.request('POST', '/billing/webhooks/stripe', { raw: payload, headers: { 'stripe-signature': header } });
}
