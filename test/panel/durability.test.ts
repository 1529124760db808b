import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { fetchSite } from '../support/nginx';
import { getJob, waitForSite } from '../support/panel';
import { spawnTs, stopProcess, waitForLine } from '../support/processes';

// Sites of this API live on a host whose worker processes this test starts and kills.
const HOST_ID = `durable-${process.pid}`;
let api: TestApi;
let token: string;
const children: ChildProcess[] = [];

const startWorker = async (entry: string, extra: Record<string, string> = {}) => {
  const log = path.join(process.env.TEST_DATA_DIR ?? '/tmp', 'logs', `${HOST_ID}.log`);
  const child = spawnTs(entry, { WORKER_ROLES: 'host', HOST_ID, LOG_LEVEL: 'info', ...extra }, log);
  children.push(child);
  await waitForLine(child, /worker polling/);
  return child;
};

beforeAll(async () => {
  api = await startApi({ HOST_ID });
  token = await login(api);
});
afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c)));
  await api.close();
});

describe('a worker killed while a site is provisioning', () => {
  it('is replaced, and the workflow finishes the site without doing anything twice', async () => {
    const slow = await startWorker('test/support/slow-host-worker.ts', { SLOW_ACTIVITY_MS: '1500' });
    const domain = uniqueDomain('durable');
    const created = await api.request('POST', '/panel/v1/sites', { token, body: { domain } });
    expect(created.status).toBe(202);
    const jobId = created.body.job_id;

    // Kill it while the second step (write nginx vhost) is in flight on it.
    await waitForLine(slow, /activity started: writeVhost/, 30_000);
    slow.kill('SIGKILL');
    await new Promise((r) => slow.once('exit', r));
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
    const client = await api.temporal.client();
    const events = (await client.workflow.getHandle(job.workflow_id).fetchHistory()).events ?? [];
    const typeOf = new Map<string, string>();
    const scheduled: string[] = [];
    const completed: string[] = [];
    const attempts: Record<string, number> = {};
    for (const e of events) {
      const id = String(e.eventId);
      if (e.activityTaskScheduledEventAttributes) {
        const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
        typeOf.set(id, name);
        scheduled.push(name);
      }
      if (e.activityTaskStartedEventAttributes) {
        attempts[typeOf.get(String(e.activityTaskStartedEventAttributes.scheduledEventId)) ?? ''] =
          e.activityTaskStartedEventAttributes.attempt ?? 0;
      }
      if (e.activityTaskCompletedEventAttributes)
        completed.push(typeOf.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) ?? '');
    }
    const hostSteps = ['createSiteRoot', 'writeVhost', 'testNginxConfig', 'reloadNginx'];
    expect(scheduled.filter((n) => hostSteps.includes(n))).toEqual(hostSteps);
    expect(completed.filter((n) => hostSteps.includes(n))).toEqual(hostSteps);
    expect(attempts).toMatchObject({ createSiteRoot: 1, writeVhost: 2, testNginxConfig: 1, reloadNginx: 1 });
  });
});
