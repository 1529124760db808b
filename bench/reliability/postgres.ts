import { loadConfig } from '../../core/config';
import { newId } from '../../core/ids';
import { login, startApi, type TestApi } from '../../test/support/api';
import { billingAccount, liveSubscription } from '../../test/support/billing';
import { LAB, labAccount } from '../../test/support/gpu-lab';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy';
import { withBenchStack } from '../stack';

/** How long Postgres stays away, as in issue 12's trial (20 s each outage). */
const OUTAGE_MS = 20_000;
/** A client gives up after this long (the trial saw 70 s answers before the deadlines). */
const CLIENT_MS = 90_000;

interface Route {
  name: string;
  call: () => Promise<{ status: number; code: string; ms: number }>;
}

/** One request, timed, with the envelope's error code (panel `error.code`, gpu-lab and billing `code`). */
async function timed(api: TestApi, method: string, path: string, token?: string, body?: unknown) {
  const started = performance.now();
  try {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CLIENT_MS),
    });
    const text = await res.text();
    let code = '';
    try {
      const j = JSON.parse(text);
      code = j?.error?.code ?? (j?.success === false ? j.code : '') ?? '';
    } catch {
      /* not JSON */
    }
    return { status: res.status, code, ms: performance.now() - started };
  } catch {
    return { status: 0, code: 'no answer', ms: performance.now() - started };
  }
}

/** A route of each product (billing's usage paths on an API key) and the health checks. */
async function routes(api: TestApi): Promise<Route[]> {
  const panelToken = await login(api);
  const researcher = await labAccount(api, 'researcher');
  const customer = await billingAccount(api);
  const admin = await billingAccount(api, 'admin');
  const plan = await api.request('POST', '/billing/admin/plans', {
    token: admin.token,
    body: { name: `Plan ${newId('p')}`, price_cents: 2999, quota_tokens: 1e12, quota_requests: 1e12 },
  });
  await liveSubscription(api, customer.id, plan.body.data);
  const key = (
    await api.request('POST', '/billing/api/v1/api-keys', {
      token: customer.token,
      body: { name: 'bench', scopes: ['usage:write', 'usage:read'] },
    })
  ).body.data.key as string;
  return [
    { name: 'panel GET /v1/sites', call: () => timed(api, 'GET', '/panel/v1/sites', panelToken) },
    {
      name: 'gpu-lab GET /users/profile',
      call: () => timed(api, 'GET', `${LAB}/users/profile`, researcher.token),
    },
    {
      name: 'billing GET /profile',
      call: () => timed(api, 'GET', '/billing/api/v1/profile', customer.token),
    },
    {
      name: 'billing POST /usage/report (key)',
      call: () =>
        timed(api, 'POST', '/billing/api/v1/usage/report', key, { event_type: 'api_call', quantity: 1 }),
    },
    {
      name: 'billing GET /usage/quota-check',
      call: () => timed(api, 'GET', '/billing/api/v1/usage/quota-check?tokens_needed=1', key),
    },
    { name: 'GET /healthz', call: () => timed(api, 'GET', '/healthz') },
    { name: 'panel GET /healthz', call: () => timed(api, 'GET', '/panel/healthz') },
  ];
}

const show = (r: { status: number; code: string; ms: number }) =>
  `${String(r.status).padStart(3)} ${(r.code || '-').padEnd(11)} ${(r.ms / 1000).toFixed(2).padStart(6)} s`;

/**
 * Postgres taken away for OUTAGE_MS behind a TCP proxy in front of the bench stack's server
 * (`freeze`: it hangs, connections open and silent; `cut`: it is stopped, connections reset and
 * refused), with an API on the default DATABASE_*_TIMEOUT_MS through the proxy. Prints, per route,
 * the answer and its time at the start of the outage (idle pool connections caught open) and again
 * later in it (fresh connections), then the time from the end of the outage to its first 200.
 */
export async function postgresOutage(kind: 'freeze' | 'cut'): Promise<void> {
  await withBenchStack(async () => {
    const url = new URL(loadConfig().DATABASE_URL);
    const proxy: TcpProxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.host = proxy.address;
    const api = await startApi({ DATABASE_URL: url.toString() });
    try {
      const list = await routes(api);
      for (const r of list) await r.call(); // warm: every pool holds open connections
      console.log(
        `\nPostgres ${kind === 'freeze' ? 'paused (hung: connections open, no answer)' : 'stopped (connections reset, new ones refused)'} for ${OUTAGE_MS / 1000} s; default deadlines`,
      );
      console.log(
        `${'route'.padEnd(34)} ${'at once'.padEnd(24)} ${'later in the outage'.padEnd(24)} first 200 after`,
      );
      const began = performance.now();
      if (kind === 'freeze') proxy.freeze();
      else await proxy.cut();
      const first = await Promise.all(list.map((r) => r.call()));
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS / 2 - (performance.now() - began))));
      const later = await Promise.all(list.map((r) => r.call()));
      // A flood: 50 panel requests at once, more than the pool has connections.
      const flood = await Promise.all(Array.from({ length: 50 }, () => list[0].call()));
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (performance.now() - began))));
      await proxy.restore();
      const back = performance.now();
      const recovered = await Promise.all(
        list.map(async (r) => {
          for (;;) {
            const res = await r.call();
            if (res.status === 200 || performance.now() - back > CLIENT_MS)
              return { ...res, ms: performance.now() - back };
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }),
      );
      const statuses: Record<string, number> = {};
      for (const f of flood) statuses[f.status] = (statuses[f.status] ?? 0) + 1;
      const floodMs = flood.map((f) => f.ms).sort((a, b) => a - b);
      console.log(
        `50 × panel GET /v1/sites at once, later in the outage: ${JSON.stringify(statuses)}, median ${(floodMs[24] / 1000).toFixed(2)} s, max ${(floodMs[49] / 1000).toFixed(2)} s`,
      );
      list.forEach((r, i) =>
        console.log(
          `${r.name.padEnd(34)} ${show(first[i]).padEnd(24)} ${show(later[i]).padEnd(24)} ${recovered[i].status === 200 ? `${(recovered[i].ms / 1000).toFixed(2)} s` : `none (${recovered[i].status})`}`,
        ),
      );
    } finally {
      await proxy.restore();
      await api.close();
      await proxy.close();
    }
  });
}
