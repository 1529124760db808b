import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { siteUser } from '../../activities/panel/php-host';
import { login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { fetchSite } from '../support/nginx';
import { getJob, waitForJob, waitForSite } from '../support/panel';
import { waitForLine } from '../support/processes';
import { activityRecord, killableWorkers } from '../support/worker-kill';

// Sites of this API live on a host whose worker processes this test starts and kills.
const HOST_ID = `durable-${process.pid}`;
const workers = killableWorkers(HOST_ID);
const hostEnv = { WORKER_ROLES: 'host', HOST_ID };
let api: TestApi;
let token: string;

const startWorker = (entry: string, extra: Record<string, string> = {}) =>
  workers.start(entry, { ...hostEnv, ...extra });

beforeAll(async () => {
  api = await startApi({ HOST_ID });
  token = await login(api);
});
afterEach(() => workers.stopAll());
afterAll(() => api.close());

describe('a worker killed while a site is provisioning', () => {
  it('is replaced, and the workflow finishes the site without doing anything twice', async () => {
    const slow = await startWorker('test/support/slow-host-worker.ts', { SLOW_ACTIVITY_MS: '1500' });
    const domain = uniqueDomain('durable');
    const created = await api.request('POST', '/panel/v1/sites', { token, body: { domain } });
    expect(created.status).toBe(202);
    const jobId = created.body.job_id;

    // Kill it while the second step (write nginx vhost) is in flight on it.
    await waitForLine(slow, /activity started: writeVhost/, 30_000);
    await workers.kill(slow);
    expect((await getJob(api, token, jobId)).status).toBe('running');

    await startWorker('worker/index.ts');
    await waitForSite(api, token, created.body.site.id, 'active', 90_000);
    expect((await fetchSite(domain)).status).toBe(200);

    const job = await getJob(api, token, jobId);
    expect(job.status).toBe('succeeded');
    expect(job.steps.map((s: { name: string }) => s.name)).toEqual([
      'create site root',
      'write nginx vhost',
      'test nginx config',
      'reload nginx',
    ]);

    // The history shows each activity scheduled and completed once; only the killed one took a second attempt.
    const { scheduled, completed, attempts } = await activityRecord(
      await api.temporal.client(),
      job.workflow_id,
    );
    const hostSteps = ['createSiteRoot', 'writeVhost', 'testNginxConfig', 'reloadNginx'];
    expect(scheduled.filter((n) => hostSteps.includes(n))).toEqual(hostSteps);
    expect(completed.filter((n) => hostSteps.includes(n))).toEqual(hostSteps);
    expect(attempts).toMatchObject({ createSiteRoot: 1, writeVhost: 2, testNginxConfig: 1, reloadNginx: 1 });
  });

  it('finishes a PHP site once when its worker dies after making the site user, before Temporal heard; delete leaves nothing', async () => {
    const doomed = await startWorker('test/support/slow-host-worker.ts', {
      SLOW_ACTIVITY_MS: '0',
      PAUSE_AFTER: 'createSiteUser',
      PAUSE_AFTER_MS: '3000',
    });
    const made = waitForLine(doomed, /activity done: createSiteUser/, 60_000);
    const domain = uniqueDomain('durable-php');
    const created = await api.request('POST', '/panel/v1/sites', { token, body: { domain, runtime: 'php' } });
    expect(created.status).toBe(202);
    const site = created.body.site;
    await made;
    await workers.kill(doomed);
    expect(execFileSync('id', ['-u', siteUser(site.id)], { encoding: 'utf8' })).toMatch(/^\d+/); // made, unreported

    await startWorker('worker/index.ts');
    await waitForSite(api, token, site.id, 'active', 90_000);
    expect((await fetchSite(domain)).status).toBe(200);
    const job = await getJob(api, token, created.body.job_id);
    expect(job.status).toBe('succeeded');
    const { completed, attempts } = await activityRecord(await api.temporal.client(), job.workflow_id);
    expect(completed).toEqual([
      'createSiteRoot',
      'createSiteUser',
      'writePhpPool',
      'reloadPhpFpm',
      'writeVhost',
      'testNginxConfig',
      'reloadNginx',
    ]);
    expect(attempts).toMatchObject({ createSiteRoot: 1, createSiteUser: 2, writePhpPool: 1 });
    expect(
      execFileSync('getent', ['passwd'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.startsWith(`${siteUser(site.id)}:`)),
    ).toHaveLength(1);

    const deleted = await api.request('DELETE', `/panel/v1/sites/${site.id}`, { token });
    expect(deleted.status).toBe(202);
    expect(await waitForJob(api, token, deleted.body.job_id)).toMatchObject({ status: 'succeeded' });
    expect(() => execFileSync('id', ['-u', siteUser(site.id)], { stdio: 'ignore' })).toThrow();
    expect(existsSync(path.join(api.config.PANEL_NGINX_SITES_DIR, `${domain}.conf`))).toBe(false);
    expect(existsSync(path.join(api.config.PANEL_PHP_POOL_DIR, `${domain}.conf`))).toBe(false);
    expect(existsSync(site.root_path)).toBe(false);
    expect((await fetchSite(domain)).status).not.toBe(200);
  }, 180_000);
});
