import net from 'node:net';
import { createContainers } from '../../activities/adapters/containers';
import { createDocker } from '../../core/docker';
import { eventually, startApi, type TestApi } from '../support/api';
import { labAccount, labCall } from '../support/gpu-lab';
import { startHostWorker } from '../support/host-worker';
import { ensureTestImage, TEST_IMAGE } from '../support/images';

// A host of this file's own with room for a dozen small containers, and a port range of its own
// (40 ports, below the kernel's ephemeral range).
const HOST = `ports-${process.pid}`;
const FROM = 24000 + (process.pid % 50) * 40;
const TO = FROM + 39;
const docker = createDocker(process.env.DOCKER_HOST);
const containers = createContainers(docker);
let api: TestApi;
let call: ReturnType<typeof labCall>;
let worker: { stop(): Promise<void> } | undefined;
let admin: string;
let alice: { id: string; token: string };

const env = {
  HOST_ID: HOST,
  GPULAB_HOST_CAPACITY: `${HOST}=16:4096`,
  GPULAB_IMAGES: TEST_IMAGE,
  GPULAB_PORT_RANGE: `${FROM}-${TO}`,
  GPULAB_BIND_ADDRESS: '127.0.0.1',
  GPULAB_STOP_TIMEOUT_SECONDS: '1',
  GPULAB_CONTAINER_CMD: JSON.stringify(['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace']),
};

const jobDone = (jobId: string) =>
  eventually(
    async () => {
      const job = await api.db('platform.jobs').where({ id: jobId }).first();
      return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
    },
    60_000,
    `job ${jobId}`,
  );
const create = () => call('POST', '/docker/createContainer', admin, { userId: alice.id, image: TEST_IMAGE, cpus: 0.1, memoryMb: 64 });

/** Another process's listener on a port, as a test holds it (127.0.0.1, where containers publish). */
async function holdPort(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}
const release = (server: net.Server) => new Promise((r) => server.close(r));

/** Removes this file's containers (Docker and rows), so each test starts from an empty range. */
async function removeAll() {
  for (const row of await api.db('gpu_lab.containers').where({ host_id: HOST })) {
    await containers.remove(row.name);
    await containers.removeVolume(row.workspace);
    await api.db('gpu_lab.containers').where({ id: row.id }).delete();
  }
}

beforeAll(async () => {
  await ensureTestImage(docker);
  api = await startApi(env);
  call = labCall(api);
  admin = (await labAccount(api, 'admin')).token;
  alice = await labAccount(api, 'researcher');
}, 60_000);
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await removeAll();
}, 60_000);
afterAll(async () => {
  await api.close();
});

describe('host ports handed to containers', () => {
  it('skips a port another process holds: 10 creates in a row all run, none on it', async () => {
    worker = await startHostWorker(api.config);
    // reserve() would pick the lowest port of the range first.
    const held = await holdPort(FROM);
    try {
      const outcomes: string[] = [];
      const ports: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await create();
        expect(res.status).toBe(202);
        const { container, jobId } = res.body.data;
        const job = await jobDone(jobId);
        outcomes.push(job.status === 'succeeded' ? 'running' : `failed: ${job.error}`);
        ports.push(container.sshPort, container.jupyterPort);
      }
      expect(outcomes).toEqual(Array(10).fill('running'));
      expect(ports).not.toContain(FROM);
      expect(new Set(ports).size).toBe(20);
    } finally {
      await release(held);
    }
  }, 180_000);
});
