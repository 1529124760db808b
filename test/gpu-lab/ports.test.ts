import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readFile, mkdtemp } from 'node:fs/promises';
import { createContainers } from '../../adapters/containers';
import { tcpPortsInUse } from '../../adapters/procfs';
import { portsRefused } from '../../activities/gpu-lab/container-records';
import { ephemeralPortRange, loadConfig } from '../../core/config';
import { createDocker } from '../../core/docker';
import { eventually, startApi, type TestApi } from '../support/api';
import { labAccount, labCall } from '../support/gpu-lab';
import { startHostWorker } from '../support/host-worker';
import { ensureTestImage, TEST_IMAGE } from '../support/images';
import { spawnTs, stopProcess } from '../support/processes';

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
const create = () =>
  call('POST', '/docker/createContainer', admin, {
    userId: alice.id,
    image: TEST_IMAGE,
    cpus: 0.1,
    memoryMb: 64,
  });

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

  it('does not hand a port a container failed to bind to the next create', async () => {
    // A host whose list missed the holder (it bound the port after the host was asked): the
    // first create gets the held port, and Docker refuses to publish it.
    worker = await startHostWorker(api.config, { portsInUse: async () => [] });
    const held = await holdPort(FROM);
    try {
      const first = await create();
      expect([first.status, first.body.data.container.sshPort]).toEqual([202, FROM]);
      const failed = await jobDone(first.body.data.jobId);
      expect([failed.status, failed.error]).toEqual([
        'failed',
        expect.stringMatching(new RegExp(`:${FROM}\\b.*address already in use`)),
      ]);
      // Held → quarantined in one step; the port it could bind is free again at once.
      const quarantine = await api.db('gpu_lab.port_quarantine').where({ host_id: HOST });
      expect(quarantine.map((q) => q.port)).toEqual([FROM]);
      expect(new Date(quarantine[0].until).getTime()).toBeGreaterThan(Date.now() + 60_000);
      expect(await api.db('gpu_lab.container_ports').where({ host_id: HOST })).toEqual([]);

      const next = await create();
      expect(next.status).toBe(202);
      const { sshPort, jupyterPort } = next.body.data.container;
      expect([sshPort, jupyterPort]).not.toContain(FROM);
      expect(sshPort).toBe(FROM + 1); // only the port it could not bind was kept back
      expect(await jobDone(next.body.data.jobId)).toMatchObject({ status: 'succeeded' });
    } finally {
      await release(held);
      await api.db('gpu_lab.port_quarantine').where({ host_id: HOST }).delete();
    }
  }, 120_000);

  it('never gives two of many parallel creates the same port, nor a held one', async () => {
    worker = await startHostWorker(api.config);
    const held = await holdPort(FROM + 3);
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => create()));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
      const ports = answers.flatMap((a) => [
        a.body.data.container.sshPort,
        a.body.data.container.jupyterPort,
      ]);
      expect(new Set(ports).size).toBe(16);
      expect(ports).not.toContain(FROM + 3);
      for (const a of answers)
        expect(await jobDone(a.body.data.jobId)).toMatchObject({ status: 'succeeded' });
    } finally {
      await release(held);
    }
  }, 180_000);

  it("reads the host's busy ports from its sockets, and which port Docker could not bind from its error", async () => {
    const held = await holdPort(FROM + 5);
    try {
      expect(await tcpPortsInUse(FROM, TO)).toContain(FROM + 5);
    } finally {
      await release(held);
    }
    expect(await tcpPortsInUse(FROM, TO)).not.toContain(FROM + 5);
    // The words of Docker 20 (userland proxy), its port allocator, and Docker 28.
    const ports = [24001, 24002];
    expect(
      portsRefused(
        '… Error starting userland proxy: listen tcp4 127.0.0.1:24002: bind: address already in use',
        ports,
      ),
    ).toEqual([24002]);
    expect(portsRefused('Bind for 0.0.0.0:24001 failed: port is already allocated', ports)).toEqual([24001]);
    expect(
      portsRefused(
        'failed to bind host port for 0.0.0.0:24002:172.17.0.2:8888/tcp: address already in use',
        ports,
      ),
    ).toEqual([24002]);
    expect(portsRefused('address already in use', ports)).toEqual(ports);
    expect(portsRefused('container lab-x exited while starting: :24001', ports)).toEqual([]);
  });
});

describe("a port range overlapping the kernel's ephemeral ports", () => {
  const ephemeral = ephemeralPortRange();
  const overlapping = ephemeral && `${ephemeral.from - 5}-${ephemeral.from + 4}`;

  it('is refused by the configuration, in one line naming the variable and both ranges', () => {
    if (!ephemeral || !overlapping) throw new Error('this kernel does not say its ephemeral port range');
    expect(() => loadConfig({ ...process.env, GPULAB_PORT_RANGE: overlapping })).toThrow(
      `invalid configuration: GPULAB_PORT_RANGE: ${overlapping} overlaps the kernel's ephemeral port range ` +
        `${ephemeral.from}-${ephemeral.to} (/proc/sys/net/ipv4/ip_local_port_range), which outgoing connections take ports from; ` +
        'choose a range outside it (e.g. 20000-29999) or narrow net.ipv4.ip_local_port_range',
    );
    expect(() =>
      loadConfig({ ...process.env, GPULAB_PORT_RANGE: `${ephemeral.to}-${ephemeral.to}` }),
    ).toThrow(/overlaps/);
    expect(() =>
      loadConfig({ ...process.env, GPULAB_PORT_RANGE: `${ephemeral.from - 10}-${ephemeral.from - 1}` }),
    ).not.toThrow();
  });

  it('stops a host worker at start-up with that one line, no stack trace', async () => {
    const log = path.join(await mkdtemp(path.join(os.tmpdir(), 'ports-')), 'worker.log');
    const child = spawnTs(
      'worker/index.ts',
      { WORKER_ROLES: 'host', HOST_ID: HOST, GPULAB_PORT_RANGE: overlapping ?? '' },
      log,
    );
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await stopProcess(child).catch(() => undefined);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect([code, lines]).toEqual([
      1,
      [
        expect.stringMatching(
          /^\[dermaga worker\] invalid configuration: GPULAB_PORT_RANGE: .* overlaps the kernel's ephemeral port range/,
        ),
      ],
    ]);
  }, 60_000);
});
