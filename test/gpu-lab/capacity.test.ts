import { createContainers } from '../../adapters/containers';
import { createDocker } from '../../core/docker';
import { eventually, startApi, type TestApi } from '../support/api';
import { labAccount, labCall } from '../support/gpu-lab';
import { startHostWorker } from '../support/host-worker';
import { ensureTestImage, TEST_IMAGE } from '../support/images';

// A host of this file's own whose capacity is configured small: 2 CPUs and 384 MB.
const HOST = `cap-${process.pid}`;
const docker = createDocker(process.env.DOCKER_HOST);
const containers = createContainers(docker);
let api: TestApi;
let call: ReturnType<typeof labCall>;
let worker: { stop(): Promise<void> };
let admin: string;
let alice: { id: string; token: string };

const jobDone = (jobId: string) =>
  eventually(
    async () => {
      const job = await api.db('platform.jobs').where({ id: jobId }).first();
      return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
    },
    60_000,
    `job ${jobId}`,
  );
const held = async () =>
  (
    await api
      .db('gpu_lab.container_resources')
      .where({ host_id: HOST })
      .sum({ cpus: 'cpus', memoryMb: 'memory_mb' })
  )[0];
const create = (body: Record<string, unknown>) =>
  call('POST', '/docker/createContainer', admin, { userId: alice.id, image: TEST_IMAGE, ...body });

const envOf = (from = 22000 + (process.pid % 200) * 10) => ({
  HOST_ID: HOST,
  GPULAB_HOST_CAPACITY: `${HOST}=2:384`,
  GPULAB_IMAGES: TEST_IMAGE,
  GPULAB_PORT_RANGE: `${from}-${from + 9}`,
  GPULAB_BIND_ADDRESS: '127.0.0.1',
  GPULAB_STOP_TIMEOUT_SECONDS: '1',
  GPULAB_CONTAINER_CMD: JSON.stringify(['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace']),
});

beforeAll(async () => {
  await ensureTestImage(docker);
  api = await startApi(envOf());
  call = labCall(api);
  worker = await startHostWorker(api.config);
  admin = (await labAccount(api, 'admin')).token;
  alice = await labAccount(api, 'researcher');
}, 60_000);
afterAll(async () => {
  for (const row of await api.db('gpu_lab.containers').where({ host_id: HOST })) {
    await containers.remove(row.name);
    await containers.removeVolume(row.workspace);
  }
  await worker.stop();
  await api.close();
});

describe("a host's CPUs and memory", () => {
  it('refuses more than the host has at all with 400 naming the field, reserving nothing', async () => {
    const rows = async () => (await api.db('gpu_lab.containers').where({ host_id: HOST })).length;
    const before = await rows();
    const cpus = await create({ cpus: 3, memoryMb: 128 });
    expect([cpus.status, cpus.body]).toEqual([
      400,
      expect.objectContaining({ success: false, field: 'cpus' }),
    ]);
    expect(cpus.body.message).toBe('cpus: 3 is more than any host has (2)');
    const memory = await create({ cpus: 0.5, memoryMb: 1024 });
    expect([memory.status, memory.body]).toEqual([
      400,
      expect.objectContaining({ success: false, field: 'memoryMb' }),
    ]);
    expect(await rows()).toBe(before);
  });

  it('keeps what a create reserved when Temporal cannot be reached (503 saying so): the reconciler creates it later', async () => {
    const broken = await startApi({ ...envOf(), TEMPORAL_ADDRESS: '127.0.0.1:1' });
    try {
      const res = await labCall(broken)('POST', '/docker/createContainer', admin, {
        userId: alice.id,
        image: TEST_IMAGE,
        cpus: 0.5,
        memoryMb: 128,
      });
      expect([res.status, res.body.code]).toEqual([503, 'unavailable']);
      expect(res.body.message).toMatch(
        /^Temporal \(the workflow engine\) is unavailable .*; container \S+ is recorded \(creating, job job_\w+\) and is created once Temporal answers/,
      );
      const row = await api
        .db('gpu_lab.containers')
        .where({ host_id: HOST })
        .orderBy('created_at', 'desc')
        .first();
      expect([row.status, row.error]).toEqual(['creating', null]);
      expect(await held()).toEqual({ cpus: '0.50', memoryMb: '128' });
      // The worker's reconciler (it reaches Temporal) starts the recorded create.
      expect(await jobDone(row.job_id)).toMatchObject({ status: 'succeeded' });
      const gone = await call('DELETE', `/docker/container/${row.name}`, admin);
      expect(await jobDone(gone.body.data.jobId)).toMatchObject({ status: 'succeeded' });
      expect(await held()).toEqual({ cpus: null, memoryMb: null });
    } finally {
      await broken.close();
    }
  });

  it('admits exactly what fits among parallel creates (409 naming the field for the rest) and frees it on delete', async () => {
    // 384 MB holds three 128 MB containers; the 2 CPUs would hold four of 0.5.
    const answers = await Promise.all(Array.from({ length: 6 }, () => create({ cpus: 0.5, memoryMb: 128 })));
    const admitted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status !== 202);
    expect(admitted).toHaveLength(3);
    expect(refused.map((r) => [r.status, r.body.field])).toEqual(Array(3).fill([409, 'memoryMb']));
    expect(refused[0].body.message).toBe(
      `memoryMb: no host has 128 MB free (${HOST}: 0 of 384); nothing was reserved`,
    );
    expect(await held()).toEqual({ cpus: '1.50', memoryMb: '384' });
    for (const a of admitted) expect(await jobDone(a.body.data.jobId)).toMatchObject({ status: 'succeeded' });

    // CPUs run out too: 0.5 of 2 are free.
    const cpus = await create({ cpus: 1, memoryMb: 64 });
    expect([cpus.status, cpus.body.field, cpus.body.message]).toEqual([
      409,
      'cpus',
      `cpus: no host has 1 CPUs free (${HOST}: 0.5 of 2); nothing was reserved`,
    ]);

    // A deleted container's CPUs and memory are free again.
    const gone = admitted[0].body.data.container.name;
    expect(
      await jobDone((await call('DELETE', `/docker/container/${gone}`, admin)).body.data.jobId),
    ).toMatchObject({
      status: 'succeeded',
    });
    expect(await held()).toEqual({ cpus: '1.00', memoryMb: '256' });
    const again = await create({ cpus: 0.5, memoryMb: 128 });
    expect(again.status).toBe(202);
    expect(await jobDone(again.body.data.jobId)).toMatchObject({ status: 'succeeded' });
  });
});
