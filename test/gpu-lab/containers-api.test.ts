import { createContainers } from '../../adapters/containers';
import { createDocker } from '../../core/docker';
import { newId } from '../../core/ids';
import { labAccount } from '../support/gpu-lab';
import { eventually, startApi, type TestApi } from '../support/api';
import { startHostWorker } from '../support/host-worker';
import { ensureTestImage, TEST_IMAGE } from '../support/images';

// This file's GPU host: its own id, worker and port range, the suite's Docker engine.
const docker = createDocker(process.env.DOCKER_HOST);
const containers = createContainers(docker);
let api: TestApi;
let worker: { stop(): Promise<void> };
let admin: string;
let alice: { token: string; id: string };
let bob: { token: string; id: string };

const post = (path: string, token: string, body?: unknown) =>
  api.request('POST', `/gpu-lab/api/v1${path}`, { token, body });
const get = (path: string, token: string) => api.request('GET', `/gpu-lab/api/v1${path}`, { token });
const del = (path: string, token: string) => api.request('DELETE', `/gpu-lab/api/v1${path}`, { token });

const account = (role: 'admin' | 'researcher') => labAccount(api, role);
const jobDone = (jobId: string) =>
  eventually(
    async () => {
      const job = await api.db('platform.jobs').where({ id: jobId }).first();
      return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
    },
    60_000,
    `job ${jobId}`,
  );

beforeAll(async () => {
  await ensureTestImage(docker);
  const from = 30000 + (process.pid % 200) * 10;
  api = await startApi({
    HOST_ID: `lab-api-${process.pid}`,
    GPULAB_IMAGES: TEST_IMAGE,
    GPULAB_PORT_RANGE: `${from}-${from + 9}`,
    GPULAB_BIND_ADDRESS: '127.0.0.1',
    GPULAB_STOP_TIMEOUT_SECONDS: '1',
    GPULAB_CONTAINER_CMD: JSON.stringify(['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace']),
  });
  worker = await startHostWorker(api.config);
  admin = (await account('admin')).token;
  alice = await account('researcher');
  bob = await account('researcher');
}, 60_000);
afterAll(async () => {
  for (const row of await api.db('gpu_lab.containers').where({ host_id: api.config.HOST_ID })) {
    await containers.remove(row.name);
    await containers.removeVolume(row.workspace);
  }
  await worker.stop();
  await api.close();
});

describe('gpu-lab containers through the API', () => {
  it('lets an admin create one for a researcher, who alone sees and uses it; admins stop, start and delete it', async () => {
    const created = await post('/docker/createContainer', admin, {
      userId: alice.id,
      image: TEST_IMAGE,
      cpus: 0.5,
      memoryMb: 128,
    });
    expect(created.status).toBe(202);
    const { container, jobId, ssh } = created.body.data;
    expect(container).toMatchObject({
      userId: alice.id,
      status: 'creating',
      cpus: 0.5,
      memoryMb: 128,
      gpus: [],
    });
    expect(ssh).toMatchObject({ port: container.sshPort, username: 'lab', password: expect.any(String) });
    expect(
      JSON.stringify(await api.db('gpu_lab.containers').where({ id: container.id }).first()),
    ).not.toContain(ssh.password);
    expect(await jobDone(jobId)).toMatchObject({ status: 'succeeded' });
    const name = container.name;

    expect((await get(`/docker/container/${name}`, alice.token)).body.data.container.status).toBe('running');
    expect(
      (await get('/docker/mycontainer', alice.token)).body.data.containers.map(
        (c: { name: string }) => c.name,
      ),
    ).toEqual([name]);
    expect((await get('/docker/mycontainer', bob.token)).body.data.containers).toEqual([]);
    // Another researcher cannot see or touch it: 404, whatever the route.
    for (const [method, path] of [
      ['GET', `/docker/container/${name}`],
      ['GET', `/docker/container/${name}/log`],
      ['GET', `/docker/container/${name}/stats`],
      ['GET', `/docker/container/${name}/jupyterlink`],
      ['POST', `/docker/container/${name}/restart`],
      ['POST', `/docker/container/${name}/reset`],
      ['POST', `/docker/container/${name}/changePassword`],
    ]) {
      const res = await api.request(method, `/gpu-lab/api/v1${path}`, {
        token: bob.token,
        body:
          method === 'POST'
            ? path.endsWith('changePassword')
              ? { password: 'Another-Passw0rd-1' }
              : {}
            : undefined,
      });
      expect([path, res.status]).toEqual([path, 404]);
    }
    // Admin-only routes refuse researchers.
    for (const [method, path] of [
      ['POST', `/docker/container/${name}/stop`],
      ['POST', `/docker/container/${name}/start`],
      ['DELETE', `/docker/container/${name}`],
      ['GET', '/docker/allcontainer'],
      ['GET', '/docker/containers/batch-stats'],
      ['POST', '/docker/createContainer'],
    ]) {
      expect([
        path,
        (
          await api.request(method, `/gpu-lab/api/v1${path}`, {
            token: alice.token,
            body: method === 'POST' ? {} : undefined,
          })
        ).status,
      ]).toEqual([path, 403]);
    }

    const stats = await get(`/docker/container/${name}/stats`, alice.token);
    expect(stats.body.data.stats).toMatchObject({ memory: { limit_bytes: 128 * 2 ** 20 } });
    expect(typeof (await get(`/docker/container/${name}/log?tail=5`, alice.token)).body.data.logs).toBe(
      'string',
    );
    const link = (await get(`/docker/container/${name}/jupyterlink`, alice.token)).body.data.url;
    expect(link).toMatch(new RegExp(`^http://localhost:${container.jupyterPort}/lab\\?token=.{20,}`));
    expect((await fetch(`http://127.0.0.1:${container.jupyterPort}/`)).status).toBeLessThan(500);

    const before = (await containers.exec(name, ['grep', '^lab:', '/etc/shadow'])).stdout;
    const changed = await post(`/docker/container/${name}/changePassword`, alice.token, {
      password: 'Alice-New-Passw0rd',
    });
    expect(changed.status).toBe(202);
    expect(await jobDone(changed.body.data.jobId)).toMatchObject({ status: 'succeeded' });
    expect((await containers.exec(name, ['grep', '^lab:', '/etc/shadow'])).stdout).not.toBe(before);
    expect(
      (
        await post(`/docker/container/${name}/changePassword`, alice.token, {
          password: 'has:colon-Passw0rd',
        })
      ).body,
    ).toMatchObject({ success: false, field: 'password' });

    const stop = await post(`/docker/container/${name}/stop`, admin);
    expect(await jobDone(stop.body.data.jobId)).toMatchObject({ status: 'succeeded' });
    expect((await get(`/docker/container/${name}`, alice.token)).body.data.container.status).toBe('stopped');
    expect((await get(`/docker/container/${name}/jupyterlink`, alice.token)).status).toBe(409);
    const start = await post(`/docker/container/${name}/start`, admin);
    expect(await jobDone(start.body.data.jobId)).toMatchObject({ status: 'succeeded' });

    expect((await get(`/docker/allcontainer?userId=${alice.id}`, admin)).body.data).toMatchObject({
      total: 1,
      containers: [{ name }],
    });
    const batch = await get('/docker/containers/batch-stats?budgetMs=10000', admin);
    expect(batch.body.data.stats[name]).toMatchObject({ pids: expect.any(Number) });

    const removed = await del(`/docker/container/${name}`, admin);
    expect(await jobDone(removed.body.data.jobId)).toMatchObject({ status: 'succeeded' });
    expect((await get(`/docker/container/${name}`, alice.token)).status).toBe(404);
    expect(await containers.inspect(name)).toBeNull();
  });

  it("creates a paid container from an approved payment: its package's resources, and a lease of its duration", async () => {
    const paket = (
      await post('/paket', admin, {
        name: 'CPU 7 hari',
        gpuKind: 'none',
        gpuCount: 0,
        cpus: 0.5,
        memoryGb: 1,
        diskGb: 10,
        durationDays: 7,
        priceIdr: 250_000,
      })
    ).body.data.paket;
    const quote = (await get(`/paket/generate-harga/${paket.id}`, alice.token)).body.data;
    const pay = {
      paymentId: quote.paymentId,
      amountIdr: quote.amountIdr,
      bankName: 'BNI',
      senderName: 'Alice',
      transferDate: '2026-11-25',
      proofUrl: 'https://files.example/a.jpg',
    };
    expect((await post('/payment', alice.token, pay)).status).toBe(201);
    const body = { paymentId: quote.paymentId, image: TEST_IMAGE };
    const early = await post('/docker/createContainer', admin, body);
    expect([early.status, early.body.field]).toEqual([409, 'paymentId']); // not approved yet
    expect(
      (
        await api.request('PATCH', `/gpu-lab/api/v1/payment/${quote.paymentId}`, {
          token: admin,
          body: { status: 'approved' },
        })
      ).status,
    ).toBe(200);
    expect((await post('/docker/createContainer', admin, { ...body, cpus: 4 })).body).toMatchObject({
      success: false,
      field: 'cpus',
    });

    const created = await post('/docker/createContainer', admin, body);
    expect(created.status).toBe(202);
    const { container, jobId } = created.body.data;
    expect(container).toMatchObject({ userId: alice.id, cpus: 0.5, memoryMb: 1024 });
    expect(await jobDone(jobId)).toMatchObject({ status: 'succeeded' });
    const lease = (await api.temporal.client()).workflow.getHandle(`gpu-lab-lease-${container.id}`);
    const state = await eventually(
      async () => await lease.query<{ endsAt: string; phase: string }>('lease').catch(() => undefined),
      20_000,
      'the lease to answer',
    );
    expect(state.phase).toBe('active');
    expect(Math.abs(Date.parse(state.endsAt) - (Date.now() + 7 * 86_400_000))).toBeLessThan(60_000);
    expect((await post('/docker/createContainer', admin, body)).body).toMatchObject({
      success: false,
      field: 'paymentId',
      message: 'paymentId: this payment already paid for a container',
    });

    // A second payment naming the container extends its lease by the package's days once approved.
    const again = (await get(`/paket/generate-harga/${paket.id}`, alice.token)).body.data;
    const extension = {
      ...pay,
      paymentId: again.paymentId,
      amountIdr: again.amountIdr,
      containerName: container.name,
    };
    const bobsQuote = (await get(`/paket/generate-harga/${paket.id}`, bob.token)).body.data;
    expect(
      (
        await post('/payment', bob.token, {
          ...extension,
          paymentId: bobsQuote.paymentId,
          amountIdr: bobsQuote.amountIdr,
        })
      ).status,
    ).toBe(404); // not Bob's container
    expect((await post('/payment', alice.token, extension)).body.data.payment).toMatchObject({
      status: 'pending',
      extendsContainerId: container.id,
      leaseExtendedAt: null,
    });
    const approved = await api.request('PATCH', `/gpu-lab/api/v1/payment/${again.paymentId}`, {
      token: admin,
      body: { status: 'approved' },
    });
    expect(approved.body.data.payment).toMatchObject({
      status: 'approved',
      extendsContainerId: container.id,
      leaseExtendedAt: expect.any(String),
    });
    const extended = await eventually(
      async () => {
        const s = await lease.query<{ endsAt: string; phase: string }>('lease');
        return Date.parse(s.endsAt) > Date.parse(state.endsAt) ? s : undefined;
      },
      20_000,
      'the lease to move',
    );
    expect(Date.parse(extended.endsAt) - Date.parse(state.endsAt)).toBe(7 * 86_400_000);
    const detail = await eventually(
      async () => {
        const d = (await get(`/docker/container/${container.name}`, alice.token)).body.data;
        return d.leaseEvents[0]?.kind === 'extended' ? d : undefined;
      },
      20_000,
      'the extension to be recorded',
    );
    expect(detail.container.leaseEndsAt).toBe(extended.endsAt);
    expect(detail.leaseEvents.map((e: { kind: string }) => e.kind)).toEqual(['extended', 'started']);
    expect(
      (await post('/docker/createContainer', admin, { paymentId: again.paymentId, image: TEST_IMAGE })).body,
    ).toMatchObject({ field: 'paymentId', message: "paymentId: this payment extended a container's lease" });

    const removed = await del(`/docker/container/${container.name}`, admin);
    expect(await jobDone(removed.body.data.jobId)).toMatchObject({ status: 'succeeded' });
    expect((await lease.describe()).status.name).toBe('TERMINATED');
  });

  it("serves a job to its container's owner or an admin (404 to anyone else) and shows the container's last job", async () => {
    const created = (
      await post('/docker/createContainer', admin, {
        userId: alice.id,
        image: TEST_IMAGE,
        cpus: 0.5,
        memoryMb: 64,
      })
    ).body.data;
    const { name } = created.container;
    await jobDone(created.jobId);
    const read = await get(`/docker/job/${created.jobId}`, alice.token);
    expect(read.status).toBe(200);
    expect(read.body.data.job).toMatchObject({
      id: created.jobId,
      type: 'container.create',
      status: 'succeeded',
      containerId: created.container.id,
      error: null,
      steps: ['create workspace', 'create container', 'start container', 'set ssh password'].map((step) =>
        expect.objectContaining({ name: step, status: 'succeeded' }),
      ),
      createdAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    expect((await get(`/docker/job/${created.jobId}`, admin)).status).toBe(200);
    expect((await get(`/docker/job/${created.jobId}`, bob.token)).body).toMatchObject({
      success: false,
      code: 'not_found',
    });
    expect((await get('/docker/job/job_0000000000nothing', alice.token)).status).toBe(404);
    expect((await get('/docker/job/not-a-job', alice.token)).body).toMatchObject({
      success: false,
      field: 'jobId',
    });

    // A password change that cannot happen (the container is stopped) is visible: its job failed, and why.
    await jobDone((await post(`/docker/container/${name}/stop`, admin)).body.data.jobId);
    const change = (
      await post(`/docker/container/${name}/changePassword`, alice.token, { password: 'Alice-New-Passw0rd' })
    ).body.data;
    await jobDone(change.jobId);
    const failed = (await get(`/docker/job/${change.jobId}`, alice.token)).body.data.job;
    expect(failed).toMatchObject({
      type: 'container.change-password',
      status: 'failed',
      error: expect.stringMatching(/^change-password failed: /),
    });
    const detail = (await get(`/docker/container/${name}`, alice.token)).body.data;
    expect(detail.lastJob).toEqual(failed);
    expect(detail.container.jobId).toBe(change.jobId);
    expect((await get(`/docker/job/${change.jobId}`, bob.token)).status).toBe(404);
    await jobDone((await del(`/docker/container/${name}`, admin)).body.data.jobId);
  });

  it("refuses more than the host's engine has (its capacity read from docker info) with 400 naming the field", async () => {
    const rows = async () =>
      (await api.db('gpu_lab.containers').where({ host_id: api.config.HOST_ID })).length;
    const before = await rows();
    const info = await docker.info();
    const memory = await post('/docker/createContainer', admin, {
      userId: alice.id,
      image: TEST_IMAGE,
      cpus: 0.5,
      memoryMb: 4 * 1024 * 1024,
    });
    expect([memory.status, memory.body.field]).toEqual([400, 'memoryMb']);
    expect(memory.body.message).toBe(
      `memoryMb: 4194304 is more than any host has (${Math.floor(info.MemTotal / 2 ** 20)})`,
    );
    const cpus = await post('/docker/createContainer', admin, {
      userId: alice.id,
      image: TEST_IMAGE,
      cpus: info.NCPU + 1,
      memoryMb: 64,
    });
    expect([cpus.status, cpus.body.field]).toEqual([400, 'cpus']);
    expect(await api.db('gpu_lab.hosts').where({ id: api.config.HOST_ID }).first()).toMatchObject({
      source: 'engine',
      memory_mb: Math.floor(info.MemTotal / 2 ** 20),
    });
    expect(await rows()).toBe(before);
  });

  it('searches the approved catalog and the images each host has', async () => {
    const term = TEST_IMAGE.split(':')[0].split('/')[1]; // "lab"
    const res = await get(`/docker/search/${term}`, alice.token);
    expect(res.body.data).toEqual({
      approved: [TEST_IMAGE],
      hosts: [{ hostId: api.config.HOST_ID, images: expect.arrayContaining([TEST_IMAGE]) }],
    });
    expect((await get('/docker/search/nothing-like-this', alice.token)).body.data).toEqual({
      approved: [],
      hosts: [{ hostId: api.config.HOST_ID, images: [] }],
    });
    expect((await get('/docker/search/bad%20term', alice.token)).status).toBe(400);
    // An image name's slashes, as they are or encoded.
    for (const path of [`/docker/search/${TEST_IMAGE}`, `/docker/search/${encodeURIComponent(TEST_IMAGE)}`])
      expect([path, (await get(path, alice.token)).body.data?.approved]).toEqual([path, [TEST_IMAGE]]);
  });

  it('refuses an unknown image, a bad name, an unknown user and a GPU no host has, leaving nothing behind', async () => {
    const rows = async () =>
      Number(
        (await api.db('gpu_lab.containers').where({ host_id: api.config.HOST_ID }).count('* as n').first())
          ?.n,
      );
    const before = await rows();
    const base = { userId: alice.id, image: TEST_IMAGE, cpus: 0.5, memoryMb: 128 };
    const image = await post('/docker/createContainer', admin, { ...base, image: 'evil/miner:latest' });
    expect([image.status, image.body.field]).toEqual([400, 'image']);
    const name = await post('/docker/createContainer', admin, { ...base, name: '-bad name' });
    expect([name.status, name.body.field]).toEqual([400, 'name']);
    expect(
      (await post('/docker/createContainer', admin, { ...base, userId: 'usr_0000000000nobody' })).status,
    ).toBe(404);
    const gpu = await post('/docker/createContainer', admin, { ...base, gpuCount: 1 });
    expect(gpu.status).toBe(409);
    expect(gpu.body).toMatchObject({
      success: false,
      message: expect.stringMatching(/no host has 1 free GPU/),
    });
    expect(await rows()).toBe(before);

    const taken = `taken-${process.pid}`;
    await api.db('gpu_lab.containers').insert({
      id: newId('ctr'),
      name: taken,
      owner_id: alice.id,
      host_id: 'elsewhere',
      image: TEST_IMAGE,
      cpus: 1,
      memory_mb: 64,
      workspace: 'w',
      ssh_port: 1,
      jupyter_port: 2,
      jupyter_token_sealed: '-',
      status: 'stopped',
    });
    const dup = await post('/docker/createContainer', admin, { ...base, name: taken });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ field: 'name', message: `name: a container named ${taken} exists` });
    expect(await rows()).toBe(before);
    await api.db('gpu_lab.containers').where({ name: taken }).delete();
  });
});
