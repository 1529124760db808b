import { loadConfig } from '../../core/config';
import { startApi, type TestApi } from '../support/api';
import { startHostWorker } from '../support/host-worker';
import { deploymentEnded, paasCall, paasTenant, serviceConfig } from '../support/paas-deploy';

// A host whose worker runs but whose Docker engine does not answer (its socket is not there).
const HOST = `paas-engine-down-${process.pid}`;
let api: TestApi;
let worker: { stop(): Promise<void> };

beforeAll(async () => {
  // Its engine cannot say what it has, so its capacity is configured.
  api = await startApi({ HOST_ID: HOST, PAAS_HOSTS: HOST, PAAS_HOST_CAPACITY: `${HOST}=2000:1024` });
  worker = await startHostWorker(
    loadConfig({ ...process.env, HOST_ID: HOST, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
  );
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await api.close();
});

describe('a host whose Docker engine is down', () => {
  it('fails the deployment with the reason, and answers logs and metrics with 503 naming the engine', async () => {
    const call = paasCall(api);
    const dev = await paasTenant(api);
    const created = await call('POST', '/services', dev.token, {
      name: 'engine-down',
      type: 'web',
      config: serviceConfig('dermaga-test/anything:1'),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const started = await call('POST', `/services/${id}/start`, dev.token);
    expect(started.status).toBe(200);
    const failed = await deploymentEnded(api, started.body.deployment.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/the Docker engine is unavailable/);
    expect((await call('GET', `/services/${id}`, dev.token)).body.status).toBe('failed');

    // As if it had been running there when the engine went away: reads answer 503 at once, never hang.
    await api.db('paas.deployments').where({ id: failed.id }).update({ status: 'completed', error: null });
    await api.db('paas.services').where({ id }).update({ status: 'running', host_id: HOST });
    for (const path of ['logs', 'metrics']) {
      const res = await call('GET', `/services/${id}/${path}`, dev.token);
      expect([path, res.status]).toEqual([path, 503]);
      expect(res.body.error).toMatch(/Docker engine is unavailable/);
    }
    await api.db('paas.services').where({ id }).delete();
  }, 120_000);
});
