import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { startHostWorker } from '../support/host-worker';
import { fetchSite } from '../support/nginx';
import { waitForJob, waitForSite } from '../support/panel';

// A host whose nginx is not running: the suite's nginx config, but with a pid file no master wrote,
// so `nginx -s reload` finds nothing to signal, as on a machine where nginx is stopped.
let api: TestApi;
let token: string;
let hostWorker: Awaited<ReturnType<typeof startHostWorker>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nginx-down-'));
  const pidFile = path.join(dir, 'nginx.pid');
  const conf = path.join(dir, 'nginx.conf');
  const suiteConf = readFileSync(String(process.env.PANEL_NGINX_CONF), 'utf8');
  writeFileSync(conf, suiteConf.replace(/^pid .*;$/m, `pid ${pidFile};`));
  api = await startApi({
    HOST_ID: `nginx-down-${process.pid}`,
    PANEL_NGINX_CONF: conf,
    PANEL_NGINX_PID_FILE: pidFile,
  });
  token = await login(api);
  hostWorker = await startHostWorker(api.config);
});
afterAll(async () => {
  await hostWorker.stop();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nginx down on the host', () => {
  it('fails the site job with the reason after bounded retries, and leaves nothing behind', async () => {
    const domain = uniqueDomain('down');
    const created = await api.request('POST', '/panel/v1/sites', { token, body: { domain } });
    expect(created.status).toBe(202);
    const site = await waitForSite(api, token, created.body.site.id, 'failed', 90_000);
    expect(site.error).toMatch(/nginx is not running on this host/);
    const job = await waitForJob(api, token, created.body.job_id);
    expect(job).toMatchObject({ status: 'failed', error: site.error });
    expect(job.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toContainEqual([
      'reload nginx',
      'failed',
    ]);
    expect(job.steps.map((s: { name: string }) => s.name)).toContain('undo write nginx vhost');
    expect((await fetchSite(domain)).status).toBe(404);
  });
});
