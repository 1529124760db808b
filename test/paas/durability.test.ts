import { createDocker } from '../../core/docker';
import { startApi, type TestApi } from '../support/api';
import { ensurePaasImage } from '../support/paas-images';
import {
  deploymentEnded,
  dockerHoldings,
  fetchPublished,
  paasCall,
  paasTenant,
  serviceConfig,
  serviceStatus,
} from '../support/paas-deploy';
import { waitForLine } from '../support/processes';
import { activityRecord, killableWorkers } from '../support/worker-kill';

// Services of this API run on a host whose worker processes this test starts and kills.
const HOST_ID = `durable-paas-${process.pid}`;
const docker = createDocker(process.env.DOCKER_HOST);
const workers = killableWorkers(HOST_ID);
const hostEnv = {
  WORKER_ROLES: 'host',
  HOST_ID,
  PAAS_BIND_ADDRESS: '127.0.0.1',
  PAAS_STOP_TIMEOUT_SECONDS: '1',
};
let api: TestApi;
let image: string;
let serviceId = '';

beforeAll(async () => {
  image = await ensurePaasImage(docker, 'web', 'v1');
  api = await startApi({ HOST_ID, PAAS_HOSTS: HOST_ID, PAAS_HOST_CAPACITY: `${HOST_ID}=2000:1024` });
}, 60_000);
afterAll(async () => {
  if (serviceId) {
    const held = await dockerHoldings(docker, serviceId);
    for (const c of held.containers)
      await docker
        .getContainer(c.name)
        .remove({ force: true })
        .catch(() => {});
    for (const n of held.networks)
      await docker
        .getNetwork(n)
        .remove()
        .catch(() => {});
    for (const v of held.volumes)
      await docker
        .getVolume(v)
        .remove()
        .catch(() => {});
  }
  await workers.stopAll();
  await api.close();
});

describe('a worker killed while a service is being deployed', () => {
  it('is replaced, and the deployment finishes once: one container, serving; nothing left after delete', async () => {
    // Killed after Docker made the container but before Temporal heard of it: the retry must find it, not make another.
    const doomed = await workers.start('test/support/slow-host-worker.ts', {
      ...hostEnv,
      SLOW_ACTIVITY_MS: '200',
      PAUSE_AFTER: 'createPaasContainer',
      PAUSE_AFTER_MS: '3000',
    });
    const made = waitForLine(doomed, /activity done: createPaasContainer/, 90_000);
    const call = paasCall(api);
    const dev = await paasTenant(api);
    const created = await call('POST', '/services', dev.token, {
      name: 'durable-web',
      type: 'web',
      config: serviceConfig(image),
    });
    expect(created.status).toBe(201);
    serviceId = created.body.id;
    const started = await call('POST', `/services/${serviceId}/start`, dev.token);
    expect(started.status).toBe(200);
    const deploymentId = started.body.deployment.id;

    await made;
    expect((await dockerHoldings(docker, serviceId)).containers).toHaveLength(1);
    await workers.kill(doomed);
    expect((await api.db('paas.deployments').where({ id: deploymentId }).first()).status).toBe('in_progress');

    await workers.start('worker/index.ts', hostEnv);
    expect(await deploymentEnded(api, deploymentId)).toMatchObject({
      status: 'completed',
      error: null,
      host_id: HOST_ID,
    });
    expect((await call('GET', `/services/${serviceId}`, dev.token)).body.status).toBe('running');
    expect((await dockerHoldings(docker, serviceId)).containers).toEqual([
      { name: `paas-${deploymentId}`, state: 'running' },
    ]);
    expect(await fetchPublished(docker, `paas-${deploymentId}`)).toBe('web v1\n');

    const { completed, attempts } = await activityRecord(
      await api.temporal.client(),
      `paas-deploy-${deploymentId}`,
    );
    // Its capacity is configured, so its engine is not asked for it.
    expect(completed).toEqual([
      'ensurePaasImage',
      'createPaasNetwork',
      'createPaasVolume',
      'createPaasContainer',
      'startPaasContainer',
      'waitPaasHealthy',
    ]);
    expect(attempts.createPaasContainer).toBe(2);

    expect((await call('DELETE', `/services/${serviceId}`, dev.token)).status).toBe(200);
    await serviceStatus(api, serviceId, [null]);
    expect(await dockerHoldings(docker, serviceId)).toEqual({ containers: [], volumes: [], networks: [] });
  }, 240_000);
});
