import { eventually, login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// Temporal taken away from one API (a TCP proxy in front of it, cut): a create answers 503 naming
// Temporal, within the call deadline, and says the work is recorded; the site is not failed but
// stays provisioning with its job queued, and is provisioned once Temporal answers again.
let proxy: TcpProxy;
let api: TestApi;
let token: string;

beforeAll(async () => {
  const [host, port] = (process.env.TEMPORAL_ADDRESS as string).split(':');
  proxy = await startTcpProxy(host, Number(port));
  api = await startApi({ TEMPORAL_ADDRESS: proxy.address, TEMPORAL_RPC_TIMEOUT_MS: '2000' });
  token = await login(api);
});
afterAll(async () => {
  await api.close();
  await proxy.close();
});

describe('Temporal unreachable at create time', () => {
  it('answers 503 naming Temporal, keeps the site and its job queued, and provisions it once Temporal is back', async () => {
    // Connected first, so the outage hits an established connection, as in production.
    expect((await api.request('GET', '/healthz')).body.checks.temporal.status).toBe('up');
    await proxy.cut();
    const domain = uniqueDomain('tdown');
    const res = await api.request('POST', '/panel/v1/sites', { token, body: { domain, runtime: 'static' } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(res.body.error.message).toMatch(
      /^Temporal \(the workflow engine\) is unavailable or did not answer in time; site site_\w+ is recorded \(provisioning, job job_\w+\) and its provisioning starts once Temporal answers/,
    );

    const site = await api.db('panel.sites').where({ domain }).first();
    expect([site.status, site.error]).toEqual(['provisioning', null]);
    const job = await api.db('platform.jobs').where({ id: site.job_id }).first();
    expect([job.status, job.error]).toEqual(['queued', null]);
    const start = await api.db('platform.workflow_starts').where({ job_id: job.id }).first();
    expect(start.attempts).toBeGreaterThanOrEqual(1);
    expect(start.last_error).toMatch(/Temporal/);

    // The health check says so too, in time.
    const health = await api.request('GET', '/healthz');
    expect([health.status, health.body.checks.temporal.status]).toEqual([503, 'down']);

    await proxy.restore();
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
    expect(done.steps.map((s: { name: string }) => s.name)).toEqual([
      'create site root',
      'write nginx vhost',
      'test nginx config',
      'reload nginx',
    ]);
  }, 150_000);

  it('a delete answers 503 naming Temporal too and the site is deleted once Temporal is back', async () => {
    // The API's own connection reconnects on its own after the restore (the first case's site may
    // have been started by the worker's reconciler meanwhile): wait until it reports Temporal up.
    await eventually(
      async () =>
        (await api.request('GET', '/healthz')).body.checks.temporal.status === 'up' ? true : undefined,
      30_000,
      'the API to reach Temporal again',
    );
    const domain = uniqueDomain('tdown-del');
    const created = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain, runtime: 'static' },
    });
    expect(created.status).toBe(202);
    const siteId = created.body.site.id;
    await eventually(
      async () =>
        (await api.db('panel.sites').where({ id: siteId }).first()).status === 'active' ? true : undefined,
      60_000,
      'active',
    );
    await proxy.cut();
    const res = await api.request('DELETE', `/panel/v1/sites/${siteId}`, { token });
    expect([res.status, res.body.error.code]).toEqual([503, 'unavailable']);
    expect(res.body.error.message).toMatch(
      /Temporal .* the delete of site site_\w+ is recorded \(deleting, job job_\w+\)/,
    );
    expect((await api.db('panel.sites').where({ id: siteId }).first()).status).toBe('deleting');
    await proxy.restore();
    await eventually(
      async () => ((await api.db('panel.sites').where({ id: siteId }).first()) ? undefined : true),
      90_000,
      `site ${siteId} to be gone`,
    );
  }, 150_000);
});
