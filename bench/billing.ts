import { newId } from '../core/ids';
import type { TestApi } from '../test/support/api';
import { load, type LoadResult } from './load';
import { startReference } from './reference/usage-server';
import { withBenchStack } from './stack';
import { percentile } from './stats';

const SECONDS = 5;
const POOL = 10; // billing's hot-path pool (core/db.ts createHotPool); the reference gets the same

/** A customer on an effectively unlimited plan with a usage:write+read key. */
let n = 0;
async function customerWithKey(api: TestApi) {
  const email = `bench-${Date.now()}-${n++}@example.com`;
  const password = 'Bench-Billing-Passw0rd!';
  const reg = await api.request('POST', '/billing/api/v1/auth/register', {
    body: { name: 'Bench', email, password },
  });
  const token = (await api.request('POST', '/billing/api/v1/auth/login', { body: { email, password } })).body
    .data.token;
  const planId = newId('plan');
  const terms = {
    plan_id: planId,
    price_cents: 2999,
    currency: 'usd',
    period_days: 30,
    quota_tokens: 1e15,
    quota_requests: 1e15,
    soft_limit: false,
    overage_cents_per_1k_tokens: 0,
    overage_cents_per_request: 0,
  };
  await api.db('billing.plans').insert({
    id: planId,
    name: `Bench ${planId}`,
    price_cents: 2999,
    quota_tokens: 1e15,
    quota_requests: 1e15,
  });
  await api.db('billing.subscriptions').insert({
    id: newId('sub'),
    customer_id: reg.body.data.id,
    plan_id: planId,
    status: 'active',
    current_period_start: new Date(),
    current_period_end: new Date(Date.now() + 30 * 86_400_000),
    period_terms: JSON.stringify(terms),
  });
  const key = (
    await api.request('POST', '/billing/api/v1/api-keys', {
      token,
      body: { name: 'bench', scopes: ['usage:write', 'usage:read'] },
    })
  ).body.data.key as string;
  return { customerId: reg.body.data.id as string, key };
}

/** Requests counted for these customers, all periods. */
const counted = async (api: TestApi, customerIds: string[]) =>
  Number(
    (await api.db('billing.usage_counters').whereIn('customer_id', customerIds).sum('requests as n').first())
      ?.n ?? 0,
  );

function line(label: string, r: LoadResult, perRequest = 1) {
  const ok = r.statuses[200] ?? 0;
  const rps = r.requests / r.seconds;
  return `${label.padEnd(34)} ${rps.toFixed(0).padStart(6)} req/s${perRequest > 1 ? ` (${((ok * perRequest) / r.seconds).toFixed(0)} events/s)` : ''}   p50 ${percentile(r.latenciesMs, 50).toFixed(1)} ms   p99 ${percentile(r.latenciesMs, 99).toFixed(1)} ms   statuses ${JSON.stringify(r.statuses)} errors ${r.errors}`;
}

/**
 * `npm run bench billing [report,batch,quota,tenants,exact]`: usage/report (50 connections) against the bare Koa + pg reference doing
 * the same key lookup and insert, batch-report events per second, quota-check, and the counted
 * total when 5 % of events are sent twice at the same time.
 */
export async function run(only = process.argv[3]): Promise<void> {
  const want = (part: string) => !only || only.split(',').includes(part);
  await withBenchStack(async (api) => {
    const { customerId, key } = await customerWithKey(api);
    console.log(`\nbilling usage metering, ${SECONDS} s each, a pg pool of ${POOL} for both servers`);
    const event = { event_type: 'api_call', quantity: 1, endpoint: '/v1/generate' };
    if (want('report')) {
      const reference = await startReference(api.config.DATABASE_URL, POOL);
      try {
        await load({
          url: reference.url,
          method: 'POST',
          token: key,
          connections: 50,
          durationMs: 1000,
          bodies: [event],
        }); // warm-up
        const ref = await load({
          url: reference.url,
          method: 'POST',
          token: key,
          connections: 50,
          durationMs: SECONDS * 1000,
          bodies: [event],
        });
        const reportUrl = `${api.url}/billing/api/v1/usage/report`;
        await load({
          url: reportUrl,
          method: 'POST',
          token: key,
          connections: 50,
          durationMs: 1000,
          bodies: [event],
        });
        const report = await load({
          url: reportUrl,
          method: 'POST',
          token: key,
          connections: 50,
          durationMs: SECONDS * 1000,
          bodies: [event],
        });
        console.log(line('reference (Koa + pg: lookup+insert)', ref));
        console.log(line('POST /usage/report, 50 conns', report));
        console.log(
          `  report / reference throughput: ${((report.requests / report.seconds / (ref.requests / ref.seconds)) * 100).toFixed(0)} %`,
        );
      } finally {
        await reference.close();
      }
    }
    if (want('batch')) {
      const batchOf = (n: number) => ({
        events: Array.from({ length: n }, () => ({ event_type: 'tokens_used', quantity: 10 })),
      });
      const batch = await load({
        url: `${api.url}/billing/api/v1/usage/batch-report`,
        method: 'POST',
        token: key,
        connections: 8,
        durationMs: SECONDS * 1000,
        bodies: [batchOf(500)],
      });
      console.log(line('POST /usage/batch-report ×500, 8 conns', batch, 500));
    }
    if (want('quota')) {
      const quotaUrl = `${api.url}/billing/api/v1/usage/quota-check?tokens_needed=10`;
      await load({ url: quotaUrl, method: 'GET', token: key, connections: 50, durationMs: 1000 });
      console.log(
        line(
          'GET /usage/quota-check, 50 conns',
          await load({
            url: quotaUrl,
            method: 'GET',
            token: key,
            connections: 50,
            durationMs: SECONDS * 1000,
          }),
        ),
      );
    }
    if (want('tenants')) {
      // Reports of 20 customers at once: statements hold several customers' events.
      const tenants = await Promise.all(Array.from({ length: 20 }, () => customerWithKey(api)));
      const deadlocks = async () =>
        Number(
          (await api.db.raw('select deadlocks from pg_stat_database where datname = current_database()'))
            .rows[0].deadlocks,
        );
      const [before, deadlocksBefore] = [
        await counted(
          api,
          tenants.map((t) => t.customerId),
        ),
        await deadlocks(),
      ];
      const r = await load({
        url: `${api.url}/billing/api/v1/usage/report`,
        method: 'POST',
        token: tenants.map((t) => t.key),
        connections: 50,
        durationMs: SECONDS * 1000,
        bodies: [event],
      });
      console.log(line('POST /usage/report, 20 customers', r));
      const stored =
        (await counted(
          api,
          tenants.map((t) => t.customerId),
        )) - before;
      console.log(
        `  counted ${stored}: ${r.statuses[200] ?? 0} answered 200, ${stored - (r.statuses[200] ?? 0)} in flight when the load stopped (at most 50); deadlocks ${(await deadlocks()) - deadlocksBefore}`,
      );
    }
    if (want('exact')) {
      // Exactness: 2,000 events with ids, 5 % of them sent twice at the same moment.
      const before = await api
        .db('billing.usage_counters')
        .where({ customer_id: customerId })
        .first('requests');
      const ids = Array.from({ length: 2000 }, (_, i) => `exact-${i}`);
      const sends = [...ids, ...ids.filter((_, i) => i % 20 === 0)].map((id) => ({
        event_type: 'api_call',
        quantity: 1,
        event_id: id,
      }));
      await Promise.all(
        Array.from({ length: 50 }, async (_, w) => {
          for (let i = w; i < sends.length; i += 50)
            await api.request('POST', '/billing/api/v1/usage/report', { token: key, body: sends[i] });
        }),
      );
      const after = await api
        .db('billing.usage_counters')
        .where({ customer_id: customerId })
        .first('requests');
      console.log(
        `exactness: sent ${sends.length} reports (${sends.length - ids.length} duplicates), counted ${Number(after?.requests ?? 0) - Number(before?.requests ?? 0)} (expected ${ids.length})`,
      );
    }
  });
}
