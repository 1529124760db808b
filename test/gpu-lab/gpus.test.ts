import path from 'node:path';
import { createContainers } from '../../adapters/containers';
import { loadConfig } from '../../core/config';
import { createDocker } from '../../core/docker';
import { newId } from '../../core/ids';
import { CONTROL_QUEUE, hostQueue } from '../../core/temporal';
import { eventually, startApi, type TestApi } from '../support/api';
import { labAccount, labCall } from '../support/gpu-lab';
import { saveHistory } from '../support/histories';
import { startHostWorker } from '../support/host-worker';
import { ensureTestImage, TEST_IMAGE } from '../support/images';

// This file's hosts: one with a worker and Docker but no NVIDIA driver (this machine), one whose
// nvidia-smi answers with recorded real outputs, and one no worker serves.
const HOST = `gpu-api-${process.pid}`;
const FIXTURE_HOST = `gpu-fixture-${process.pid}`;
const DARK_HOST = `gpu-dark-${process.pid}`;
const containers = createContainers(createDocker(process.env.DOCKER_HOST));
let api: TestApi;
let call: ReturnType<typeof labCall>;
let admin: string;
let alice: { id: string; token: string };
const workers: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  await ensureTestImage(createDocker(process.env.DOCKER_HOST));
  const from = 26000 + (process.pid % 200) * 10;
  api = await startApi({
    HOST_ID: HOST,
    GPULAB_HOSTS: [HOST, FIXTURE_HOST, DARK_HOST].join(','),
    GPULAB_IMAGES: TEST_IMAGE,
    GPULAB_PORT_RANGE: `${from}-${from + 9}`,
    GPULAB_BIND_ADDRESS: '127.0.0.1',
    GPULAB_CONTAINER_CMD: JSON.stringify(['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace']),
  });
  call = labCall(api);
  workers.push(await startHostWorker(api.config));
  workers.push(
    await startHostWorker(
      loadConfig({
        ...process.env,
        HOST_ID: FIXTURE_HOST,
        GPULAB_NVIDIA_SMI: path.join(__dirname, 'fixtures/fake-nvidia-smi'),
      }),
    ),
  );
  admin = (await labAccount(api, 'admin')).token;
  alice = await labAccount(api, 'researcher');
}, 60_000);
afterAll(async () => {
  for (const row of await api.db('gpu_lab.containers').where({ host_id: HOST }))
    await containers.remove(row.name);
  await Promise.all(workers.map((w) => w.stop()));
  await api.close();
});

let n = 0;
const uuid = (prefix = 'GPU') =>
  `${prefix}-${(Date.now() % 1e8).toString(16).padStart(8, '0')}-${(process.pid % 0xffff).toString(16).padStart(4, '0')}-4000-8000-${(n++).toString(16).padStart(12, '0')}`;
const gpu = (over: Record<string, unknown> = {}) => ({
  hostId: HOST,
  index: 40 + (n % 20),
  uuid: uuid(),
  model: 'NVIDIA A100-SXM4-80GB',
  memoryMb: 81920,
  ...over,
});
const refusal = (res: { status: number; body: Record<string, unknown> }) => ({
  status: res.status,
  ...res.body,
});
const jobDone = (jobId: string) =>
  eventually(
    async () => {
      const job = await api.db('platform.jobs').where({ id: jobId }).first();
      return ['succeeded', 'failed'].includes(job.status) ? job : undefined;
    },
    60_000,
    `job ${jobId}`,
  );

describe('the GPU inventory', () => {
  it('adds whole GPUs and MIG instances, refuses duplicates naming the field, lists, updates, removes, and audits', async () => {
    const body = gpu({ index: 0, uuid: `gpu-${uuid().slice(4).toUpperCase()}` });
    const added = await call('POST', '/gpu', admin, body);
    expect(added.status).toBe(201);
    const a100 = added.body.data.gpu;
    expect(a100).toEqual({
      id: expect.stringMatching(/^gpu_/),
      hostId: HOST,
      index: 0,
      uuid: `GPU-${body.uuid.slice(4).toLowerCase()}`,
      kind: 'NVIDIA A100-SXM4-80GB',
      model: body.model,
      memoryMb: 81920,
      migEnabled: false,
      status: 'available',
      containerId: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // A MIG instance shares its parent's index; a second whole GPU at that index does not.
    const mig = (
      await call(
        'POST',
        '/gpu',
        admin,
        gpu({ index: 0, uuid: uuid('MIG'), kind: '1g.10gb', memoryMb: 9856, migEnabled: true }),
      )
    ).body.data.gpu;
    expect(mig).toMatchObject({ index: 0, kind: '1g.10gb', status: 'available' });
    expect(refusal(await call('POST', '/gpu', admin, gpu({ index: 0 })))).toMatchObject({
      status: 409,
      field: 'index',
      message: 'index: this host already has a GPU at this index',
    });
    expect(refusal(await call('POST', '/gpu', admin, gpu({ uuid: a100.uuid })))).toMatchObject({
      status: 409,
      field: 'uuid',
    });

    const listed = await call('GET', `/gpu?hostId=${HOST}&kind=1G.10GB`, admin);
    expect(listed.body.data).toEqual({ gpus: [mig], total: 1 });
    const patched = await call('PATCH', `/gpu/${a100.id}`, admin, {
      kind: 'A100-80GB',
      status: 'maintenance',
    });
    expect(patched.body).toMatchObject({
      success: true,
      data: { gpu: { id: a100.id, kind: 'A100-80GB', status: 'maintenance' } },
    });
    expect(
      (await call('GET', `/gpu?hostId=${HOST}&status=maintenance`, admin)).body.data.gpus.map(
        (g: { id: string }) => g.id,
      ),
    ).toEqual([a100.id]);
    expect(refusal(await call('PATCH', `/gpu/${a100.id}`, admin, {}))).toMatchObject({ status: 400 });

    expect((await call('DELETE', `/gpu/${mig.id}`, admin)).body).toEqual({
      success: true,
      message: 'GPU removed',
      data: { deleted: mig.id },
    });
    expect((await call('DELETE', `/gpu/${mig.id}`, admin)).status).toBe(404);
    expect((await call('PATCH', '/gpu/gpu_0000000000nothing', admin, { model: 'x' })).status).toBe(404);
    const audited = await api
      .db('platform.audit_log')
      .where({ product: 'gpu-lab' })
      .whereIn('target', [`gpu:${a100.id}`, `gpu:${mig.id}`])
      .orderBy('id')
      .pluck('action');
    expect(audited).toEqual(['gpu.create', 'gpu.create', 'gpu.update', 'gpu.delete']);
    await call('DELETE', `/gpu/${a100.id}`, admin);
  });

  it.each([
    [
      { uuid: 'GPU-123' },
      'uuid',
      'uuid: must be a GPU or MIG UUID such as GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16',
    ],
    [
      { hostId: 'nowhere' },
      'hostId',
      `hostId: nowhere is not a gpu-lab host (GPULAB_HOSTS: ${HOST}, ${FIXTURE_HOST}, ${DARK_HOST})`,
    ],
    [{ status: 'in_use' }, 'status', 'status: must be one of: available, maintenance, offline'],
    [{ memoryMb: 0 }, 'memoryMb', undefined],
    [{ index: '1' }, 'index', 'index: Invalid input: expected number, received string'], // a wrong type is not "is required"
    [{ model: undefined }, 'model', 'model: is required'],
    [{ extra: true }, undefined, undefined],
  ])('refuses %j with 400 naming the field, writing nothing', async (over, field, message) => {
    const before = await api.db('gpu_lab.gpus').count('* as n').first();
    const res = refusal(await call('POST', '/gpu', admin, gpu(over)));
    expect(res).toMatchObject({
      status: 400,
      success: false,
      code: 'invalid_request',
      ...(field && { field }),
      ...(message && { message }),
    });
    expect(await api.db('gpu_lab.gpus').count('* as n').first()).toEqual(before);
  });

  it('refuses researchers every GPU route with 403', async () => {
    for (const [method, p, body] of [
      ['POST', '/gpu', gpu()],
      ['GET', '/gpu'],
      ['GET', '/gpu/discover'],
      ['GET', '/gpu/mig/summary'],
      ['GET', '/gpu/mig/instances'],
      ['GET', '/gpu/topology'],
      ['PATCH', '/gpu/gpu_0000000000nothing', { model: 'x' }],
      ['DELETE', '/gpu/gpu_0000000000nothing'],
    ] as [string, string, unknown?][]) {
      expect([p, refusal(await call(method, p, alice.token, body))]).toEqual([
        p,
        expect.objectContaining({ status: 403, success: false, code: 'forbidden' }),
      ]);
    }
  });
});

describe('GPUs given to containers', () => {
  it('reserves an available device of the asked kind, holds it while the container lives, and frees it when Docker cannot start it here (no NVIDIA runtime)', async () => {
    const kind = `A100-80GB-${process.pid}`;
    const device = (await call('POST', '/gpu', admin, gpu({ index: 1, kind }))).body.data.gpu;
    const other = (await call('POST', '/gpu', admin, gpu({ index: 2, kind: `H100-${process.pid}` }))).body
      .data.gpu;
    const create = () =>
      call('POST', '/docker/createContainer', admin, {
        userId: alice.id,
        image: TEST_IMAGE,
        cpus: 0.5,
        memoryMb: 128,
        gpuCount: 1,
        gpuKind: kind,
      });

    const created = await create();
    expect(created.status).toBe(202);
    const { container, jobId } = created.body.data;
    expect(container.gpus).toEqual([device.uuid]);
    expect((await call('GET', `/gpu?kind=${kind}`, admin)).body.data.gpus).toEqual([
      expect.objectContaining({ id: device.id, status: 'in_use', containerId: container.id }),
    ]);
    // While held: no second container gets it, and an admin can neither remove nor move it.
    expect(refusal(await create())).toMatchObject({
      status: 409,
      message: "no host has 1 free GPU of this package's kind and two free ports; nothing was reserved",
    });
    expect(refusal(await call('DELETE', `/gpu/${device.id}`, admin))).toMatchObject({
      status: 409,
      message: expect.stringContaining(container.id),
    });
    expect(refusal(await call('PATCH', `/gpu/${device.id}`, admin, { hostId: FIXTURE_HOST }))).toMatchObject({
      status: 409,
    });

    // Docker here has no NVIDIA runtime: the engine refuses to start it, once, and everything is undone.
    const job = await jobDone(jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toContain(
      `Docker refused to start ${container.name} on host ${HOST}: could not select device driver`,
    );
    expect(await containers.inspect(container.name)).toBeNull();
    expect((await call('GET', `/gpu?kind=${kind}`, admin)).body.data.gpus).toEqual([
      expect.objectContaining({ id: device.id, status: 'available', containerId: null }),
    ]);
    expect(
      (await call('GET', `/docker/container/${container.name}`, admin)).body.data.container,
    ).toMatchObject({ status: 'failed', gpus: [] });

    // A device in maintenance is not given out; one of another kind never is.
    await call('PATCH', `/gpu/${device.id}`, admin, { status: 'maintenance' });
    expect((await create()).status).toBe(409);
    expect((await call('GET', `/gpu?kind=H100-${process.pid}`, admin)).body.data.gpus[0]).toMatchObject({
      id: other.id,
      status: 'available',
    });
  });

  it("gives a paid container a device of its package's gpuKind", async () => {
    const kind = `1g.10gb-${process.pid}`;
    const device = (await call('POST', '/gpu', admin, gpu({ index: 3, uuid: uuid('MIG'), kind }))).body.data
      .gpu;
    const pkg = {
      id: newId('pkt'),
      name: 'MIG 1g.10gb',
      gpu_kind: kind,
      gpu_count: 1,
      cpus: 0.5,
      memory_gb: 1,
      disk_gb: 10,
      duration_days: 7,
      price_idr: 300_000,
    };
    await api.db('gpu_lab.packages').insert(pkg);
    const paymentId = newId('pay');
    await api.db('gpu_lab.payments').insert({
      id: paymentId,
      user_id: alice.id,
      package_id: pkg.id,
      amount_idr: 300_123,
      status: 'approved',
      quote_expires_at: new Date(),
    });
    const created = await call('POST', '/docker/createContainer', admin, { paymentId, image: TEST_IMAGE });
    expect(created.status).toBe(202);
    expect(created.body.data.container.gpus).toEqual([device.uuid]);
    expect(await jobDone(created.body.data.jobId)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('could not select device driver'),
    }); // no NVIDIA runtime here either
  });
});

describe('nvidia-smi on a host, through its worker', () => {
  const probes = ['/gpu/discover', '/gpu/mig/summary', '/gpu/mig/instances', '/gpu/topology'];

  it('answers 503 naming the host where there is no NVIDIA driver (this machine)', async () => {
    for (const p of probes) {
      expect([p, refusal(await call('GET', p, admin))]).toEqual([
        p,
        {
          status: 503,
          success: false,
          code: 'gpu_driver_unavailable',
          message: `host ${HOST}: nvidia-smi is not available (no nvidia-smi on this host: no NVIDIA driver is installed)`,
        },
      ]);
    }
  });

  it('answers 503 at once for a host no worker polls, and 400 for one that is not a gpu-lab host', async () => {
    expect(refusal(await call('GET', `/gpu/discover?hostId=${DARK_HOST}`, admin))).toEqual({
      status: 503,
      success: false,
      code: 'unavailable',
      message: `host ${DARK_HOST}: no worker polls dermaga-host-${DARK_HOST}; start the worker on that host (HOST_ID=${DARK_HOST})`,
    });
    expect(refusal(await call('GET', '/gpu/topology?hostId=elsewhere', admin))).toMatchObject({
      status: 400,
      field: 'hostId',
    });
    expect(refusal(await call('GET', '/gpu/topology?hostId=Bad_Host', admin))).toMatchObject({
      status: 400,
      field: 'hostId',
    });
  });

  describe('on a host whose nvidia-smi answers with recorded real outputs', () => {
    const probe = (p: string) => call('GET', `${p}?hostId=${FIXTURE_HOST}`, admin);

    it('discover: the GPU its recorded query names', async () => {
      const res = await eventually(async () => {
        const r = await probe('/gpu/discover');
        return r.status === 503 && /no worker polls/.test(r.body.message) ? undefined : r; // the poller shows within a moment
      }, 30_000);
      expect(res.body).toEqual({
        success: true,
        message: expect.any(String),
        data: {
          hostId: FIXTURE_HOST,
          collectedAt: expect.any(String),
          gpus: [
            {
              index: null,
              uuid: null,
              name: null,
              memoryTotalMB: null,
              memoryUsedMB: null,
              utilizationPercent: null,
              temperatureC: null,
              migMode: 'Enabled',
              driverVersion: null,
              pciBusId: '00000000:01:00.0',
            },
          ],
        },
      });
    });

    it('mig/summary: the H100 split into one 3g.40gb and three 1g.10gb devices', async () => {
      const res = await probe('/gpu/mig/summary');
      expect(res.status).toBe(200);
      expect(res.body.data.gpus).toEqual([
        expect.objectContaining({
          index: 0,
          name: 'NVIDIA H100 PCIe',
          uuid: 'GPU-7cd6d4d6-9fa8-13be-3c42-09a1b2280a02',
          migDevices: expect.arrayContaining([
            { deviceIndex: 0, profile: '3g.40gb', uuid: 'MIG-da06d78f-7534-56a0-a062-62fef012be91' },
          ]),
        }),
      ]);
      expect(res.body.data.totals).toEqual({
        gpus: 1,
        gpusWithMigDevices: 1,
        migDevices: 4,
        byProfile: { '3g.40gb': 1, '1g.10gb': 3 },
      });
    });

    it('mig/instances: GPU instances with placements and compute instances', async () => {
      const res = await probe('/gpu/mig/instances');
      expect(res.status).toBe(200);
      expect(res.body.data.migEnabled).toBe(true);
      expect(res.body.data.gpuInstances).toHaveLength(4);
      expect(res.body.data.gpuInstances[3]).toEqual({
        gpu: 0,
        profile: '3g.40gb',
        profileId: 9,
        instanceId: 2,
        placement: { start: 4, size: 4 },
      });
      expect(res.body.data.computeInstances).toHaveLength(3);
    });

    it('topology: the 8× A100 NVLink matrix with its NICs', async () => {
      const since = new Date();
      const res = await probe('/gpu/topology');
      expect(res.status).toBe(200);
      expect(res.body.data.matrix.GPU0.GPU1).toBe('NV12');
      expect(res.body.data.nics.NIC16).toBe('mlx5_bond_0');
      expect(res.body.data.affinity.GPU7).toEqual({ cpu: '0-103', numa: '0', gpuNumaId: null });
      if (process.env.RECORD_HISTORIES)
        await saveHistory(api, await lastRead(since), 'gpu-lab/read-gpu-topology');
    });
  });
});

describe("a container's stats with its GPUs' load", () => {
  it('adds what nvidia-smi says of its whole GPUs on a host with a driver, and says why not on one without', async () => {
    const name = `gpu-stats-${process.pid}`;
    await containers.create(
      {
        name,
        image: TEST_IMAGE,
        cmd: ['/bin/httpd', '-f', '-p', '8888'],
        labels: {},
        cpus: 0.25,
        memoryMb: 32,
      },
      { label: 'dermaga.test', value: name },
    );
    await containers.start(name);
    try {
      const client = await api.temporal.client();
      const read = (hostId: string) =>
        client.workflow.execute('readFromHost', {
          workflowId: `gpu-lab-read-${newId('r')}`,
          taskQueue: CONTROL_QUEUE,
          args: [
            hostQueue(hostId),
            {
              kind: 'stats',
              containerId: 'ctr_test',
              name,
              gpus: ['GPU-22b2c6ac-2d49-4863-197c-9c469071178a', 'MIG-da06d78f-7534-56a0-a062-62fef012be91'],
            },
          ],
        }) as Promise<{ pids: number; gpu: unknown }>;
      const withDriver = await read(FIXTURE_HOST);
      expect(withDriver.pids).toBeGreaterThan(0);
      expect(withDriver.gpu).toEqual({
        gpus: [
          {
            uuid: 'GPU-22b2c6ac-2d49-4863-197c-9c469071178a',
            name: 'GeForce RTX 2080',
            utilizationPercent: 86,
            memoryUtilizationPercent: 55,
            memoryTotalMB: 7979,
            temperatureC: 45,
            powerDrawW: 176.98,
            powerLimitW: 200,
            smClockMHz: 1965,
            pstate: 'P2',
          },
        ],
        migInstances: ['MIG-da06d78f-7534-56a0-a062-62fef012be91'],
      });
      const without = await read(HOST);
      expect(without.pids).toBeGreaterThan(0);
      expect(without.gpu).toEqual({
        error: `host ${HOST}: nvidia-smi is not available (no nvidia-smi on this host: no NVIDIA driver is installed)`,
      });
    } finally {
      await containers.remove(name);
    }
  });
});

/** The readFromHost run the API started after `since`, from Temporal's visibility. */
async function lastRead(since: Date): Promise<string> {
  const client = await api.temporal.client();
  return eventually(
    async () => {
      for await (const wf of client.workflow.list({
        query: `WorkflowType = 'readFromHost' AND StartTime > '${since.toISOString()}'`,
      }))
        return wf.workflowId;
      return undefined;
    },
    30_000,
    'the topology read',
  );
}
