import { loadConfig } from '../../core/config';
import { createDb, databaseUnavailable, migrate } from '../../core/db';
import { newId } from '../../core/ids';
import { eventually, login, startApi, type TestApi } from '../support/api';
import { billingAccount, liveSubscription } from '../support/billing';
import { LAB, labAccount } from '../support/gpu-lab';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

/**
 * Postgres hung (frozen: connections open, nothing answers) and stopped (cut: connections reset,
 * new ones refused), tried on an API of this file's own whose DATABASE_URL goes through a proxy in
 * front of the suite's Postgres: a route of each product, billing's usage paths on an API key and
 * the health checks answer 503 in their envelope naming the database, and 200 again once it is
 * back, without a restart. Short deadlines keep the file quick; the defaults are measured by
 * `npm run bench reliability postgres-pause,postgres-stop`.
 */
let proxy: TcpProxy;
let api: TestApi;

/** A request that fails the test instead of hanging it when the API gives no answer at all. */
async function ask(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(60_000),
  }).catch((err: Error) => {
    throw new Error(`${method} ${path}: no answer (${err.message})`);
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

interface Probe {
  name: string;
  call: () => ReturnType<typeof ask>;
  /** The 503 in the product's envelope, naming the database. */
  down: object;
}
let probes: Probe[] = [];

const NAMES_DB = expect.stringContaining('database (PostgreSQL) is unavailable');
const panelDown = { error: { code: 'unavailable', message: NAMES_DB } };
const labDown = { success: false, code: 'unavailable', message: NAMES_DB };
const billingDown = { success: false, code: 'unavailable', data: NAMES_DB };

beforeAll(async () => {
  const url = new URL(loadConfig().DATABASE_URL);
  proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  url.host = proxy.address;
  api = await startApi({
    DATABASE_URL: url.toString(),
    // Shorter than the defaults, yet loose enough for a loaded machine (a slow answer must not pass for an outage).
    DATABASE_CONNECT_TIMEOUT_MS: '2000',
    DATABASE_STATEMENT_TIMEOUT_MS: '2000',
    DATABASE_QUERY_TIMEOUT_MS: '3000',
    DATABASE_ACQUIRE_TIMEOUT_MS: '4000',
  });
  const panelToken = await login(api);
  const researcher = await labAccount(api, 'researcher');
  const customer = await billingAccount(api);
  const admin = await billingAccount(api, 'admin');
  const plan = await api.request('POST', '/billing/admin/plans', {
    token: admin.token,
    body: {
      name: `Plan ${newId('p')}`,
      price_cents: 2999,
      quota_tokens: 1_000_000,
      quota_requests: 1_000_000,
    },
  });
  expect(plan.status).toBe(201);
  await liveSubscription(api, customer.id, plan.body.data);
  const key = await api.request('POST', '/billing/api/v1/api-keys', {
    token: customer.token,
    body: { name: 'outage', scopes: ['usage:write', 'usage:read'] },
  });
  expect(key.status).toBe(201);
  const apiKey = key.body.data.key as string;

  probes = [
    {
      name: 'panel GET /v1/sites',
      call: () => ask('GET', '/panel/v1/sites', { token: panelToken }),
      down: panelDown,
    },
    {
      name: 'gpu-lab GET /users/profile',
      call: () => ask('GET', `${LAB}/users/profile`, { token: researcher.token }),
      down: labDown,
    },
    {
      name: 'billing GET /profile',
      call: () => ask('GET', '/billing/api/v1/profile', { token: customer.token }),
      down: billingDown,
    },
    {
      name: 'billing POST /usage/report (API key)',
      call: () =>
        ask('POST', '/billing/api/v1/usage/report', {
          token: apiKey,
          body: { event_type: 'api_call', quantity: 1 },
        }),
      down: billingDown,
    },
    {
      name: 'billing GET /usage/quota-check (API key)',
      call: () => ask('GET', '/billing/api/v1/usage/quota-check?tokens_needed=1', { token: apiKey }),
      down: billingDown,
    },
  ];
  // Every path has run once, so the pools hold connections the outage catches open.
  for (const p of probes) expect({ [p.name]: (await p.call()).status }).toEqual({ [p.name]: 200 });
});

afterAll(async () => {
  await proxy?.restore();
  await api?.close();
  await proxy?.close();
});

describe.each([
  ['hung (frozen)', () => proxy.freeze()],
  ['stopped (cut)', () => proxy.cut()],
])('Postgres %s', (_, outage) => {
  it('answers 503 naming the database on every product, then 200 once it is back', async () => {
    await outage();
    try {
      // Twice: first on the connections the pools held when it went, then on new ones.
      for (const round of ['held connections', 'new connections']) {
        const answers = await Promise.all(
          probes.map(async (p) => ({ round, name: p.name, ...(await p.call()) })),
        );
        answers.forEach((a, i) =>
          expect(a).toEqual({ round, name: probes[i].name, status: 503, body: probes[i].down }),
        );
      }

      const health = await ask('GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'down', checks: { database: { status: 'down' } } });
      expect(await ask('GET', '/panel/healthz')).toMatchObject({ status: 503, body: { status: 'degraded' } });
      expect(await ask('GET', '/billing/health/detailed')).toMatchObject({
        status: 503,
        body: { data: { database: 'DOWN' } },
      });
    } finally {
      await proxy.restore();
    }

    // Back: each route answers 200 again within seconds (a pooled connection broken by the outage
    // may still answer one request 503 before the pool replaces it).
    for (const p of probes)
      await eventually(
        async () => ((await p.call()).status === 200 ? true : undefined),
        15_000,
        `${p.name} to answer 200`,
      );
    expect((await ask('GET', '/healthz')).body).toMatchObject({ checks: { database: { status: 'up' } } });
  });
});

describe('Postgres deadlines and what counts as the database being away', () => {
  const url = () => loadConfig().DATABASE_URL;

  it('cuts a statement at DATABASE_STATEMENT_TIMEOUT_MS (a 503), but not the migrations', async () => {
    const db = createDb(
      url(),
      { min: 0, max: 2 },
      { connectMs: 3000, statementMs: 100, queryMs: 2000, acquireMs: 3000 },
    );
    try {
      const err = await db.raw('select pg_sleep(1)').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: '57014' });
      expect(databaseUnavailable(err)).toMatchObject({
        status: 503,
        code: 'unavailable',
        message: expect.stringContaining('PostgreSQL'),
      });
      await expect(migrate(db)).resolves.toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it("leaves the statement's own faults and other services' connection errors alone", async () => {
    const db = createDb(url(), { min: 0, max: 1 });
    try {
      const err = await db.raw('select 1/0').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: '22012' });
      expect(databaseUnavailable(err)).toBeUndefined();
    } finally {
      await db.destroy();
    }
    // Another service refusing connections is not the database (fetch's error carries ECONNREFUSED as its cause).
    const refused = await fetch(`http://127.0.0.1:${proxy.port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeDefined();
    expect(databaseUnavailable(refused)).toBeUndefined();
  });

  it('refuses a statement deadline that does not come before the answer deadline', () => {
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '7000' })).toThrow(
      /DATABASE_STATEMENT_TIMEOUT_MS: must be below DATABASE_QUERY_TIMEOUT_MS/,
    );
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' }).DATABASE_STATEMENT_TIMEOUT_MS).toBe(0);
  });
});
