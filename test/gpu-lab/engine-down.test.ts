import { loadConfig } from '../../core/config';
import { eventually, startApi, type TestApi } from '../support/api';
import { labAccount, labCall } from '../support/gpu-lab';
import { startHostWorker } from '../support/host-worker';
import { TEST_IMAGE } from '../support/images';

// A host whose worker runs but whose Docker engine does not answer (its socket is not there).
const HOST = `engine-down-${process.pid}`;
let api: TestApi;
let worker: { stop(): Promise<void> };

beforeAll(async () => {
  const from = 28000 + (process.pid % 200) * 10;
  // Its engine cannot say what it has, so its capacity is configured.
  api = await startApi({
    HOST_ID: HOST,
    GPULAB_IMAGES: TEST_IMAGE,
    GPULAB_PORT_RANGE: `${from}-${from + 9}`,
    GPULAB_HOST_CAPACITY: `${HOST}=2:1024`,
  });
  worker = await startHostWorker(
    loadConfig({ ...process.env, HOST_ID: HOST, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
  );
}, 60_000);
afterAll(async () => {
  await worker.stop();
  await api.close();
});

describe('a host whose Docker engine is down', () => {
  it('fails the create job with the reason, frees its ports, and answers reads with 503 naming the host', async () => {
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

    const job = await eventually(
      async () => {
        const j = await api.db('platform.jobs').where({ id: jobId }).first();
        return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
      },
      60_000,
      'the create job',
    );
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/nonexistent\/docker\.sock/);
    const detail = (await call('GET', `/docker/container/${container.name}`, alice.token)).body.data
      .container;
    expect(detail).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/nonexistent\/docker\.sock/),
    });
    expect(await api.db('gpu_lab.container_ports').where({ container_id: container.id })).toEqual([]);
    expect(await api.db('gpu_lab.container_resources').where({ container_id: container.id })).toEqual([]);

    const res = await call('GET', '/docker/search/lab', alice.token);
    expect(res.body.data.hosts).toEqual([{ hostId: HOST, images: null }]); // the catalog still answers; the host says nothing
    const stats = await call('GET', `/docker/container/${container.name}/stats`, alice.token);
    expect(stats.status).toBe(503);
    expect(stats.body).toMatchObject({
      success: false,
      code: 'unavailable',
      message: expect.stringContaining(`host ${HOST} did not answer`),
    });
  }, 90_000);
});
