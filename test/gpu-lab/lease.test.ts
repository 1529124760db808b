import { createContainers } from '../../adapters/containers';
import { reserve, withReservationRetry } from '../../api/products/gpu-lab/reservations';
import { loadConfig } from '../../core/config';
import { createDb } from '../../core/db';
import { createDocker } from '../../core/docker';
import { newId } from '../../core/ids';
import { createJob } from '../../core/jobs';
import { createSecretBox } from '../../core/secret-box';
import { CONTROL_QUEUE, createTemporal, hostQueue } from '../../core/temporal';
import { hostActivities } from '../../worker/activities';
import type { LabContainerInput, LeaseInput } from '../../types/gpu-lab';
import { eventually } from '../support/api';
import { roomOnHost } from '../support/gpu-lab';
import { saveHistory } from '../support/histories';
import { startHostWorker } from '../support/host-worker';
import { ensureTestImage, TEST_IMAGE } from '../support/images';

// A lease's timers run for real, with durations of seconds passed in: no sleeps stand in for them.
const run = `${process.pid}-${Date.now().toString(36)}`;
const hostId = `lease-${run}`;
const config = loadConfig({
  ...process.env,
  HOST_ID: hostId,
  GPULAB_BIND_ADDRESS: '127.0.0.1',
  GPULAB_STOP_TIMEOUT_SECONDS: '1',
});
const db = createDb(config.DATABASE_URL, { min: 0, max: 5 });
const temporal = createTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
const docker = createDocker(config.DOCKER_HOST);
const containers = createContainers(docker);
const secrets = createSecretBox(config.DERMAGA_SECRET_KEY);
let worker: { stop(): Promise<void> };

beforeAll(async () => {
  await ensureTestImage(docker);
  worker = await startHostWorker(config, hostActivities(config));
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await temporal.close();
  await db.destroy();
});

let n = 0;
/** A running container, made by the createContainer workflow. */
async function runningContainer(): Promise<LabContainerInput> {
  const containerId = newId('ctr');
  const name = `lease-${run}-${n++}`;
  await roomOnHost(db, hostId);
  const input = await withReservationRetry(db, async (trx) => {
    await trx('gpu_lab.containers').insert({
      id: containerId,
      name,
      owner_id: 'usr_test',
      host_id: hostId,
      image: TEST_IMAGE,
      cpus: 0.25,
      memory_mb: 32,
      workspace: `${name}-ws`,
      ssh_port: 0,
      jupyter_port: 0,
      jupyter_token_sealed: secrets.seal('t'),
      status: 'creating',
    });
    const r = await reserve(trx, {
      containerId,
      gpuCount: 0,
      cpus: 0.25,
      memoryMb: 32,
      candidates: [{ hostId, devices: [] }],
      ports: { from: 10000 + (process.pid % 1000) * 10, to: 10009 + (process.pid % 1000) * 10 },
    });
    const job = await createJob(trx, {
      product: 'gpu-lab',
      type: 'container.create',
      target: { type: 'container', id: containerId },
      workflowId: `gpu-lab-container-${containerId}-create`,
      actor: 'test',
    });
    await trx('gpu_lab.containers')
      .where({ id: containerId })
      .update({ ssh_port: r.sshPort, jupyter_port: r.jupyterPort, job_id: job.id });
    return {
      containerId,
      jobId: job.id,
      name,
      image: TEST_IMAGE,
      cmd: ['/bin/httpd', '-f', '-p', '8888'],
      cpus: 0.25,
      memoryMb: 32,
      gpus: [],
      sshPort: r.sshPort,
      jupyterPort: r.jupyterPort,
      workspace: `${name}-ws`,
      sshUser: 'lab',
      sealedSshPassword: secrets.seal('Lease-Passw0rd-1'),
      sealedJupyterToken: secrets.seal('t'),
      hostQueue: hostQueue(hostId),
    } satisfies LabContainerInput;
  });
  const client = await temporal.client();
  await client.workflow.execute('createContainer', {
    workflowId: `gpu-lab-container-${containerId}-create`,
    taskQueue: CONTROL_QUEUE,
    args: [input],
  });
  return input;
}

const lease = (
  c: LabContainerInput,
  endsInMs: number,
  warnBeforeMs: number,
  graceMs: number,
): LeaseInput => ({
  containerId: c.containerId,
  name: c.name,
  workspace: c.workspace,
  hostQueue: c.hostQueue,
  endsAt: new Date(Date.now() + endsInMs).toISOString(),
  warnBeforeMs,
  graceMs,
});
const events = async (containerId: string) =>
  (await db('gpu_lab.container_events').where({ container_id: containerId }).orderBy('id')).map(
    (e) => e.kind,
  );
const status = async (containerId: string) =>
  (await db('gpu_lab.containers').where({ id: containerId }).first())?.status;

describe('a container lease', () => {
  it('warns before the end, stops at the end, and removes the container and its workspace after the grace period', async () => {
    const c = await runningContainer();
    const client = await temporal.client();
    const handle = await client.workflow.start('containerLease', {
      workflowId: `gpu-lab-lease-${c.containerId}`,
      taskQueue: CONTROL_QUEUE,
      args: [lease(c, 2500, 1000, 1500)],
    });
    await eventually(
      async () => ((await status(c.containerId)) === 'stopped' ? true : undefined),
      20_000,
      'the container to be stopped',
    );
    expect(await events(c.containerId)).toEqual(['started', 'warned', 'expired']);
    expect((await containers.inspect(c.name))?.running).toBe(false);
    expect(await docker.getVolume(c.workspace).inspect()).toMatchObject({ Name: c.workspace }); // kept through the grace period

    expect(await handle.result()).toBe('removed');
    await saveHistory({ config }, handle.workflowId, 'gpu-lab/container-lease-removed');
    expect(await containers.inspect(c.name)).toBeNull();
    await expect(docker.getVolume(c.workspace).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await status(c.containerId)).toBeUndefined();
  });

  it('moves its end when extended early, and brings a stopped container back when paid in the grace period', async () => {
    const c = await runningContainer();
    const client = await temporal.client();
    const handle = await client.workflow.start('containerLease', {
      workflowId: `gpu-lab-lease-${c.containerId}`,
      taskQueue: CONTROL_QUEUE,
      args: [lease(c, 60_000, 1000, 60_000)],
    });
    const later = new Date(Date.now() + 120_000).toISOString();
    await eventually(
      async () => ((await events(c.containerId)).includes('started') ? true : undefined),
      10_000,
      'the lease to start',
    );
    await handle.signal('extendLease', { endsAt: later });
    await eventually(
      async () => ((await handle.query<{ endsAt: string }>('lease')).endsAt === later ? true : undefined),
      10_000,
      'the end to move',
    );
    expect(await events(c.containerId)).toEqual(['started', 'extended']);

    // A lease that is about to end: it expires, then a payment in the grace period resumes it.
    const short = await client.workflow.start('containerLease', {
      workflowId: `gpu-lab-lease-${c.containerId}-2`,
      taskQueue: CONTROL_QUEUE,
      args: [lease(c, 1500, 500, 60_000)],
    });
    await handle.terminate('replaced by a shorter lease for this test');
    await eventually(
      async () => ((await status(c.containerId)) === 'stopped' ? true : undefined),
      20_000,
      'the container to be stopped',
    );
    expect((await containers.inspect(c.name))?.running).toBe(false);
    await short.signal('extendLease', { endsAt: new Date(Date.now() + 120_000).toISOString() });
    await eventually(
      async () => ((await status(c.containerId)) === 'running' ? true : undefined),
      20_000,
      'the container to run again',
    );
    expect((await containers.inspect(c.name))?.running).toBe(true);
    expect((await events(c.containerId)).slice(-3)).toEqual(['expired', 'extended', 'resumed']);
    expect(await short.query('lease')).toMatchObject({ phase: 'active' });
    await saveHistory({ config }, short.workflowId, 'gpu-lab/container-lease-resumed');
    await short.terminate('test over');
    await containers.remove(c.name);
    await containers.removeVolume(c.workspace);
  });
});
