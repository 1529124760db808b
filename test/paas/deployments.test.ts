import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createDocker } from '../../core/docker';
import { CONTROL_QUEUE, hostQueue } from '../../core/queues';
import { eventually, startApi, type TestApi } from '../support/api';
import { saveHistory } from '../support/histories';
import { ensurePaasImage } from '../support/paas-images';
import {
  deploymentEnded,
  dockerHoldings,
  fetchPublished,
  jobEnded,
  paasCall,
  paasTenant,
  serviceConfig,
  serviceStatus,
} from '../support/paas-deploy';
import { activityRecord } from '../support/worker-kill';

// Services run on the suite's worker (its HOST_ID); their ports are published on loopback by the engine.
const docker = createDocker(process.env.DOCKER_HOST);
let api: TestApi;
let call: ReturnType<typeof paasCall>;
let images: { v1: string; v2: string; crash: string };
const created: string[] = [];

beforeAll(async () => {
  images = {
    v1: await ensurePaasImage(docker, 'web', 'v1'),
    v2: await ensurePaasImage(docker, 'web', 'v2'),
    crash: await ensurePaasImage(docker, 'crash'),
  };
  api = await startApi({ PAAS_HEALTH_TIMEOUT_SECONDS: '20', PAAS_PULL_TIMEOUT_SECONDS: '20' });
  call = paasCall(api);
}, 120_000);
afterAll(async () => {
  // Whatever a failed test left: its containers, network, volume.
  for (const id of created) {
    const held = await dockerHoldings(docker, id);
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
  await api.close();
});

async function createService(token: string, type: string, image: string, over: Record<string, unknown> = {}) {
  const res = await call('POST', '/services', token, {
    name: `svc-${type}`,
    type,
    description: 'a test service',
    config: serviceConfig(image, over),
  });
  if (res.status !== 201) throw new Error(`create service: ${res.status} ${res.text}`);
  created.push(res.body.id);
  return res.body.id as string;
}

async function startAndWait(token: string, serviceId: string) {
  const res = await call('POST', `/services/${serviceId}/start`, token);
  expect(res.status).toBe(200);
  return deploymentEnded(api, res.body.deployment.id);
}

describe('a service through its life: start, read, restart, update, stop, delete', () => {
  it('runs the image, serves on its published port, and leaves nothing in Docker when deleted', async () => {
    const dev = await paasTenant(api);
    const id = await createService(dev.token, 'web', images.v1);

    const started = await call('POST', `/services/${id}/start`, dev.token);
    expect(started.status).toBe(200);
    expect(started.body).toEqual({
      message: 'Service deployment started',
      deployment: {
        id: expect.any(String),
        service_id: id,
        status: 'pending',
        nomad_job_id: expect.stringMatching(/^tenant-web-\d{10}$/),
        deployed_by: dev.id,
        created_at: expect.any(String),
      },
    });
    const first = await deploymentEnded(api, started.body.deployment.id);
    expect(first).toMatchObject({ status: 'completed', error: null, host_id: api.config.HOST_ID });
    expect(first.started_at).toBeTruthy();
    expect(first.completed_at).toBeTruthy();
    expect((await call('GET', `/services/${id}`, dev.token)).body.status).toBe('running');
    const firstName = `paas-${first.id}`;
    expect(await fetchPublished(docker, firstName)).toBe('web v1\n');
    const inspect = await docker.getContainer(firstName).inspect();
    // The list tells the client where the service answers: the host port the engine published.
    const listed = (await call('GET', '/services', dev.token)).body.services.find(
      (s: { id: string }) => s.id === id,
    );
    expect(listed.deployments[0].published_ports).toEqual({
      '8080': Number(inspect.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort),
    });
    expect(inspect.HostConfig).toMatchObject({ NanoCpus: 200_000_000, Memory: 64 * 2 ** 20 });
    expect(inspect.Config.Env).toContain('GREETING=hello');
    // The environment (passwords among it) travels sealed: Temporal's history never holds it in clear.
    const history = await (
      await api.temporal.client()
    ).workflow
      .getHandle(`paas-deploy-${first.id}`)
      .fetchHistory();
    // Payloads are base64 in the history's JSON form: decode every one.
    const payloads: string[] = [];
    JSON.parse(historyToJSON(history), (k, v: unknown) => {
      if (k === 'data' && typeof v === 'string') payloads.push(Buffer.from(v, 'base64').toString());
      return v;
    });
    expect(payloads.join('\n')).toContain('sealedEnv');
    expect(payloads.join('\n')).not.toContain('sealed-in-history-0451');
    await saveHistory(api, `paas-deploy-${first.id}`, 'paas/deploy-service');

    expect((await call('POST', `/services/${id}/start`, dev.token)).body).toEqual({
      error: 'Service is already running',
      code: 'invalid_request',
    });

    // Logs carry the engine's timestamps; tail bounds them; metrics name the container and host.
    await fetchPublished(docker, firstName);
    const logs = await call('GET', `/services/${id}/logs?tail=50`, dev.token);
    expect(logs.status).toBe(200);
    expect(logs.body.logs[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z web v1 starting$/);
    expect((await call('GET', `/services/${id}/logs?tail=1`, dev.token)).body.logs).toHaveLength(1);
    expect((await call('GET', `/services/${id}/logs?tail=0`, dev.token)).status).toBe(400);
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect((await call('GET', `/services/${id}/logs?since=${future}`, dev.token)).body.logs).toEqual([]);
    const metrics = await call('GET', `/services/${id}/metrics`, dev.token);
    expect(metrics.status).toBe(200);
    expect(metrics.body.metrics).toEqual({
      cpu_usage: expect.any(Number),
      memory_usage: expect.any(Number),
      allocation_id: inspect.Id,
      allocation_status: 'running',
      node_id: api.config.HOST_ID,
    });
    expect(metrics.body.metrics.memory_usage).toBeGreaterThan(0);

    // Restart: accepted, then running and serving again.
    const restarted = await call('POST', `/services/${id}/restart`, dev.token);
    expect(restarted.status).toBe(200);
    expect(restarted.body).toEqual({ message: 'Service restarted successfully' });
    await serviceStatus(api, id, ['running', 'failed']);
    expect((await call('GET', `/services/${id}`, dev.token)).body.status).toBe('running');
    expect(await fetchPublished(docker, firstName)).toBe('web v1\n');
    const restartJob = await api
      .db('platform.jobs')
      .where({ target_id: id, type: 'service.restart' })
      .first();
    expect(await jobEnded(api, restartJob.id)).toMatchObject({ status: 'succeeded' });
    await saveHistory(api, restartJob.workflow_id, 'paas/service-action');

    // Update: a new deployment, healthy before the old container is removed.
    const updated = await call('PUT', `/services/${id}`, dev.token, {
      name: 'svc-web',
      type: 'web',
      description: 'version two',
      config: serviceConfig(images.v2),
    });
    expect(updated.status).toBe(200);
    const second = await api
      .db('paas.deployments')
      .where({ service_id: id })
      .whereNot({ id: first.id })
      .first();
    expect(await deploymentEnded(api, second.id)).toMatchObject({ status: 'completed', error: null });
    expect(await fetchPublished(docker, `paas-${second.id}`)).toBe('web v2\n');
    // The old container goes in the workflow's last step, after the deployment is marked completed.
    const client = await api.temporal.client();
    expect(await client.workflow.getHandle(`paas-deploy-${second.id}`).result()).toBe('completed');
    const order = await activityRecord(client, `paas-deploy-${second.id}`);
    expect(order.completed.slice(-2)).toEqual(['waitPaasHealthy', 'removePaasContainer']);
    expect((await dockerHoldings(docker, id)).containers).toEqual([
      { name: `paas-${second.id}`, state: 'running' },
    ]);
    expect((await api.db('paas.deployments').where({ id: first.id }).first()).status).toBe('superseded');

    // Stop: the container goes, the network and data volume stay for the next start.
    const stopped = await call('POST', `/services/${id}/stop`, dev.token);
    expect(stopped.body).toEqual({ message: 'Service stopped successfully' });
    await serviceStatus(api, id, ['stopped', 'running']);
    expect((await call('GET', `/services/${id}`, dev.token)).body.status).toBe('stopped');
    expect(await dockerHoldings(docker, id)).toEqual({
      containers: [],
      volumes: [`paas-svc-${id}-data`],
      networks: [`paas-svc-${id}`],
    });
    expect((await call('POST', `/services/${id}/stop`, dev.token)).body.error).toBe('Service is not running');
    expect((await call('GET', `/services/${id}/metrics`, dev.token)).body.error).toBe(
      'Service is not running',
    );

    // A start that fails after a stop keeps the service's network and data volume (its data).
    expect(
      (await call('PUT', `/services/${id}`, dev.token, { config: serviceConfig(images.crash) })).status,
    ).toBe(200);
    expect(await startAndWait(dev.token, id)).toMatchObject({ status: 'failed' });
    expect(await dockerHoldings(docker, id)).toEqual({
      containers: [],
      volumes: [`paas-svc-${id}-data`],
      networks: [`paas-svc-${id}`],
    });
    expect((await call('GET', `/services/${id}`, dev.token)).body.status).toBe('failed');

    // Started again, then deleted: nothing of it left.
    expect(
      (await call('PUT', `/services/${id}`, dev.token, { config: serviceConfig(images.v2) })).status,
    ).toBe(200);
    expect(await startAndWait(dev.token, id)).toMatchObject({ status: 'completed' });
    const removed = await call('DELETE', `/services/${id}`, dev.token);
    expect(removed.body).toEqual({ message: 'Service deleted successfully' });
    await serviceStatus(api, id, [null, 'failed']);
    expect((await call('GET', `/services/${id}`, dev.token)).status).toBe(404);
    expect(await dockerHoldings(docker, id)).toEqual({ containers: [], volumes: [], networks: [] });
    const deleteJob = await api.db('platform.jobs').where({ target_id: id, type: 'service.delete' }).first();
    expect(deleteJob.status).toBe('succeeded');
    await saveHistory(api, deleteJob.workflow_id, 'paas/delete-service');
  }, 300_000);
});

describe('a deployment that fails', () => {
  it('of a container that exits at once fails with its output and leaves the previous one serving', async () => {
    const dev = await paasTenant(api);
    const id = await createService(dev.token, 'web', images.v1);
    const first = await startAndWait(dev.token, id);
    expect(first.status).toBe('completed');

    expect(
      (await call('PUT', `/services/${id}`, dev.token, { config: serviceConfig(images.crash) })).status,
    ).toBe(200);
    const second = await api
      .db('paas.deployments')
      .where({ service_id: id })
      .whereNot({ id: first.id })
      .first();
    const failed = await deploymentEnded(api, second.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/exited after it started: .*crash: missing configuration/);
    expect(failed.completed_at).toBeTruthy();
    expect((await call('GET', `/services/${id}`, dev.token)).body.status).toBe('running');
    expect(await fetchPublished(docker, `paas-${first.id}`)).toBe('web v1\n');
    expect((await dockerHoldings(docker, id)).containers).toEqual([
      { name: `paas-${first.id}`, state: 'running' },
    ]);
    expect((await api.db('paas.deployments').where({ id: first.id }).first()).status).toBe('completed');
  }, 180_000);

  it('of an image no registry gives fails with the reason and leaves nothing in Docker', async () => {
    const dev = await paasTenant(api);
    const id = await createService(dev.token, 'redis', `dermaga-test/not-here:${process.pid}`);
    const failed = await startAndWait(dev.token, id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /image dermaga-test\/not-here:\d+ is not on host .* and could not be pulled: /,
    );
    expect((await call('GET', `/services/${id}`, dev.token)).body.status).toBe('failed');
    expect(await dockerHoldings(docker, id)).toEqual({ containers: [], volumes: [], networks: [] });
  }, 120_000);
});

describe('deleting a service while it is being deployed', () => {
  it('ends the deployment, and nothing of either is left in Docker', async () => {
    const dev = await paasTenant(api);
    // It listens on 8080, but its config says 9999: the deployment waits for a port that never opens.
    const id = await createService(dev.token, 'web', images.v1, { ports: [9999] });
    const started = await call('POST', `/services/${id}/start`, dev.token);
    expect(started.status).toBe(200);
    await eventually(
      async () => ((await dockerHoldings(docker, id)).containers.length ? true : undefined),
      60_000,
      'the deployment to make its container',
    );
    const removed = await call('DELETE', `/services/${id}`, dev.token);
    expect(removed.body).toEqual({ message: 'Service deleted successfully' });
    await serviceStatus(api, id, [null]);
    expect((await call('GET', `/services/${id}`, dev.token)).status).toBe(404);
    // The deployment's own workflow ends too, removing whatever it still held.
    const client = await api.temporal.client();
    await client.workflow
      .getHandle(`paas-deploy-${started.body.deployment.id}`)
      .result()
      .catch(() => undefined);
    expect(await dockerHoldings(docker, id)).toEqual({ containers: [], volumes: [], networks: [] });
  }, 120_000);
});

describe('starting a service twice', () => {
  it('at once: one deployment, every other request 400 "Service deployment already in progress"', async () => {
    const dev = await paasTenant(api);
    const id = await createService(dev.token, 'web', images.v1);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call('POST', `/services/${id}/start`, dev.token)),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200))
      expect([a.status, a.body.error]).toEqual([400, 'Service deployment already in progress']);
    expect(await api.db('paas.deployments').where({ service_id: id })).toHaveLength(1);
    expect((await deploymentEnded(api, ok[0].body.deployment.id)).status).toBe('completed');
    expect((await call('DELETE', `/services/${id}`, dev.token)).status).toBe(200);
    await serviceStatus(api, id, [null]);
  }, 120_000);
});

describe("another tenant's service", () => {
  it('is 404 on every deployment route; a malformed id is 400', async () => {
    const owner = await paasTenant(api);
    const other = await paasTenant(api, 'other');
    const id = await createService(owner.token, 'web', images.v1);
    for (const [method, path] of [
      ['POST', 'start'],
      ['POST', 'stop'],
      ['POST', 'restart'],
      ['GET', 'logs'],
      ['GET', 'metrics'],
    ]) {
      const res = await call(method, `/services/${id}/${path}`, other.token);
      expect([path, res.status, res.body.error]).toEqual([path, 404, 'Service not found']);
      expect((await call(method, `/services/not-a-uuid/${path}`, owner.token)).status).toBe(400);
    }
    expect((await api.db('paas.services').where({ id }).first()).status).toBe('stopped');
    // A read of the running service through its host: the history the replay test keeps.
    expect((await startAndWait(owner.token, id)).status).toBe('completed');
    const read = await call('GET', `/services/${id}/metrics`, owner.token);
    expect(read.status).toBe(200);
    // The same read executed directly (its id known), for the history the replay test keeps.
    const running = await api.db('paas.deployments').where({ service_id: id, status: 'completed' }).first();
    const readId = `paas-read-test-${running.id}`;
    const client = await api.temporal.client();
    const lines = await client.workflow.execute('paasReadHost', {
      workflowId: readId,
      taskQueue: CONTROL_QUEUE,
      args: [hostQueue(api.config.HOST_ID), { kind: 'logs', name: `paas-${running.id}`, tail: 5 }],
    });
    expect(Array.isArray(lines)).toBe(true);
    await saveHistory(api, readId, 'paas/read-host');
    expect((await call('DELETE', `/services/${id}`, owner.token)).status).toBe(200);
    await serviceStatus(api, id, [null]);
  }, 120_000);
});
