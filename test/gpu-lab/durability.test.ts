import { createContainers } from '../../adapters/containers';
import { createDocker } from '../../core/docker';
import { eventually, startApi, type TestApi } from '../support/api';
import { labAccount, labCall } from '../support/gpu-lab';
import { ensureTestImage, TEST_IMAGE } from '../support/images';
import { waitForLine } from '../support/processes';
import { activityRecord, killableWorkers } from '../support/worker-kill';

// Containers of this API live on a host whose worker processes this test starts and kills.
const HOST_ID = `durable-lab-${process.pid}`;
const docker = createDocker(process.env.DOCKER_HOST);
const containers = createContainers(docker);
const workers = killableWorkers(HOST_ID);
const hostEnv = {
  WORKER_ROLES: 'host',
  HOST_ID,
  GPULAB_BIND_ADDRESS: '127.0.0.1',
  GPULAB_STOP_TIMEOUT_SECONDS: '1',
};
let api: TestApi;

beforeAll(async () => {
  await ensureTestImage(docker);
  const from = 24000 + (process.pid % 200) * 10; // below the kernel's ephemeral range, which the config refuses
  api = await startApi({
    HOST_ID,
    GPULAB_IMAGES: TEST_IMAGE,
    GPULAB_PORT_RANGE: `${from}-${from + 9}`,
    GPULAB_HOST_CAPACITY: `${HOST_ID}=2:1024`,
    GPULAB_BIND_ADDRESS: '127.0.0.1',
    GPULAB_STOP_TIMEOUT_SECONDS: '1',
    GPULAB_CONTAINER_CMD: JSON.stringify(['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace']),
  });
}, 60_000);
afterAll(async () => {
  for (const row of await api.db('gpu_lab.containers').where({ host_id: HOST_ID })) {
    await containers.remove(row.name);
    await containers.removeVolume(row.workspace);
  }
  await workers.stopAll();
  await api.close();
});

const jobDone = (jobId: string) =>
  eventually(
    async () => {
      const job = await api.db('platform.jobs').where({ id: jobId }).first();
      return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
    },
    90_000,
    `job ${jobId}`,
  );

/** Docker's containers carrying a gpu-lab container's label, running or not. */
const dockerContainersOf = (containerId: string) =>
  docker.listContainers({ all: true, filters: { label: [`dermaga.container=${containerId}`] } });

describe('a worker killed while a container is being created', () => {
  it('is replaced, and the workflow finishes the container once: one Docker container, nothing left after delete', async () => {
    // Killed after Docker made the container but before Temporal heard of it: the retry must find it, not make another.
    const doomed = await workers.start('test/support/slow-host-worker.ts', {
      ...hostEnv,
      PAUSE_AFTER: 'createLabContainer',
      PAUSE_AFTER_MS: '3000',
    });
    const made = waitForLine(doomed, /activity done: createLabContainer/, 90_000);
    const call = labCall(api);
    const admin = (await labAccount(api, 'admin')).token;
    const alice = await labAccount(api, 'researcher');
    const created = await call('POST', '/docker/createContainer', admin, {
      userId: alice.id,
      image: TEST_IMAGE,
      cpus: 0.5,
      memoryMb: 128,
    });
    expect(created.status).toBe(202);
    const { container, jobId } = created.body.data;

    await made;
    expect(await dockerContainersOf(container.id)).toHaveLength(1);
    await workers.kill(doomed);
    expect((await api.db('platform.jobs').where({ id: jobId }).first()).status).toBe('running');

    await workers.start('worker/index.ts', hostEnv);
    const job = await jobDone(jobId);
    expect(job).toMatchObject({ status: 'succeeded', error: null });
    expect(
      (await call('GET', `/docker/container/${container.name}`, alice.token)).body.data.container.status,
    ).toBe('running');
    const inDocker = await dockerContainersOf(container.id);
    expect(inDocker.map((c) => [c.Names, c.State])).toEqual([[[`/${container.name}`], 'running']]);

    const { scheduled, completed, attempts } = await activityRecord(
      await api.temporal.client(),
      job.workflow_id,
    );
    const steps = ['createWorkspace', 'createLabContainer', 'startLabContainer', 'setSshPassword'];
    expect(scheduled).toEqual(steps);
    expect(completed).toEqual(steps);
    expect(attempts).toEqual({
      createWorkspace: 1,
      createLabContainer: 2,
      startLabContainer: 1,
      setSshPassword: 1,
    });

    // Deleting it leaves nothing behind: no container, no workspace, its ports and resources free.
    const removed = await call('DELETE', `/docker/container/${container.name}`, admin);
    expect(await jobDone(removed.body.data.jobId)).toMatchObject({ status: 'succeeded' });
    expect(await dockerContainersOf(container.id)).toEqual([]);
    expect(
      (await docker.listVolumes({ filters: { label: [`dermaga.container=${container.id}`] } })).Volumes ?? [],
    ).toEqual([]);
    expect(await api.db('gpu_lab.container_ports').where({ container_id: container.id })).toEqual([]);
    expect(await api.db('gpu_lab.container_resources').where({ container_id: container.id })).toEqual([]);
  }, 180_000);
});
