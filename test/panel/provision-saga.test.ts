import { ApplicationFailure } from '@temporalio/activity';
import { existsSync } from 'node:fs';
import { login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { startHostWorker } from '../support/host-worker';
import { saveHistory } from '../support/histories';
import { fetchSite } from '../support/nginx';
import { waitForJob, waitForSite } from '../support/panel';
import { createNginx } from '../../adapters/nginx';

// This API routes its sites to a host of its own, served by a worker whose reload fails.
let api: TestApi;
let token: string;
let hostWorker: Awaited<ReturnType<typeof startHostWorker>>;

beforeAll(async () => {
  api = await startApi({ HOST_ID: `saga-${process.pid}` });
  token = await login(api);
  hostWorker = await startHostWorker(api.config, {
    reloadNginx: async () => {
      throw ApplicationFailure.create({
        message: 'nginx reload refused (injected by the test)',
        nonRetryable: true,
      });
    },
  });
});
afterAll(async () => {
  await hostWorker.stop();
  await api.close();
});

describe('a site whose provisioning fails half-way', () => {
  it('is undone step by step and left failed with the reason, and its domain can be used again', async () => {
    const domain = uniqueDomain('saga');
    const created = await api.request('POST', '/panel/v1/sites', { token, body: { domain } });
    expect(created.status).toBe(202);
    const site = await waitForSite(api, token, created.body.site.id, 'failed');
    expect(site.error).toBe('nginx reload refused (injected by the test)');

    const job = await waitForJob(api, token, created.body.job_id);
    expect(job.status).toBe('failed');
    expect(job.error).toBe(site.error);
    expect(job.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['create site root', 'succeeded'],
      ['write nginx vhost', 'succeeded'],
      ['test nginx config', 'succeeded'],
      ['reload nginx', 'failed'],
      ['undo write nginx vhost', 'succeeded'],
      ['undo create site root', 'succeeded'],
    ]);
    expect(existsSync(site.root_path)).toBe(false);
    const nginx = createNginx({
      bin: 'nginx',
      sitesDir: api.config.PANEL_NGINX_SITES_DIR,
      listen: api.config.PANEL_NGINX_LISTEN,
      pidFile: api.config.PANEL_NGINX_PID_FILE,
    });
    expect(existsSync(nginx.vhostPath(domain))).toBe(false);
    expect((await fetchSite(domain)).status).toBe(404);
    await saveHistory(api, job.workflow_id, 'panel/provision-site-undone');

    // The failed row stays for the operator to read, but does not hold the domain.
    const retry = await api.request('POST', '/panel/v1/sites', { token, body: { domain } });
    expect(retry.status).toBe(202);
  });
});
