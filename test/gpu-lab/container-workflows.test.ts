import { createContainers } from '../../adapters/containers';
import { reserve, withReservationRetry, type HostCandidate } from '../../api/products/gpu-lab/reservations';
import { loadConfig } from '../../core/config';
import { createDb } from '../../core/db';
import { createDocker } from '../../core/docker';
import { Conflict } from '../../core/errors';
import { newId } from '../../core/ids';
import { createJob, Job } from '../../core/jobs';
import { createSecretBox } from '../../core/secret-box';
import { CONTROL_QUEUE, createTemporal, hostQueue } from '../../core/temporal';
import { hostActivities } from '../../worker/activities';
import { roomOnHost } from '../support/gpu-lab';
import { saveHistory } from '../support/histories';
import { startHostWorker } from '../support/host-worker';
import { ensureTestImage, TEST_IMAGE } from '../support/images';
import type { LabContainerInput } from '../../types/gpu-lab';
import type { DeleteContainerInput } from '../../workflows/gpu-lab/delete-container';

// Two GPU hosts, each its own worker on its own queue, in front of the same Docker engine: every
// container activity must run on the worker of the host that owns the container.
const base = loadConfig({
  ...process.env,
  GPULAB_BIND_ADDRESS: '127.0.0.1',
  GPULAB_STOP_TIMEOUT_SECONDS: '1',
});
const db = createDb(base.DATABASE_URL, { min: 0, max: 10 });
const temporal = createTemporal(base.TEMPORAL_ADDRESS, base.TEMPORAL_NAMESPACE);
const docker = createDocker(base.DOCKER_HOST);
const containers = createContainers(docker);
const secrets = createSecretBox(base.DERMAGA_SECRET_KEY);
const run = `${process.pid}-${Date.now().toString(36)}`;
const hosts = { a: `gpu-a-${run}`, b: `gpu-b-${run}` };
const calls: string[] = [];
const workers: { stop(): Promise<void> }[] = [];
// Below the kernel's ephemeral range (32768+), so no port the stack was handed can collide.
const PORTS = { from: 20000 + (process.pid % 1000) * 10, to: 20000 + (process.pid % 1000) * 10 + 9 };

/** The host's real activities, each noting which host ran it. */
function recorded(hostId: string) {
  const config = { ...base, HOST_ID: hostId };
  const acts = hostActivities(config) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const wrapped = Object.fromEntries(
    Object.entries(acts).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => (calls.push(`${hostId}:${name}`), fn(...args)),
    ]),
  );
  return { config, wrapped };
}

beforeAll(async () => {
  await ensureTestImage(docker);
  for (const hostId of Object.values(hosts)) {
    const { config, wrapped } = recorded(hostId);
    workers.push(await startHostWorker(config, wrapped));
  }
}, 60_000);
afterAll(async () => {
  for (const w of workers) await w.stop();
  for (const row of await db('gpu_lab.containers').where('name', 'like', `lab-${run}-%`)) {
    await containers.remove(row.name);
    await containers.removeVolume(row.workspace);
  }
  await temporal.close();
  await db.destroy();
});

let n = 0;
/** What the API will do on create: the row, the reservation and the job in one transaction. */
async function reserveContainer(candidates: HostCandidate[], gpuCount = 0, image = TEST_IMAGE) {
  const containerId = newId('ctr');
  const name = `lab-${run}-${n++}`;
  const password = `Lab-Passw0rd-${n}`;
  for (const { hostId } of candidates) await roomOnHost(db, hostId);
  return withReservationRetry(db, async (trx) => {
    await trx('gpu_lab.containers').insert({
      id: containerId,
      name,
      owner_id: 'usr_test',
      host_id: candidates[0].hostId,
      image,
      cpus: 0.5,
      memory_mb: 64,
      workspace: `${name}-workspace`,
      ssh_port: 0,
      jupyter_port: 0,
      jupyter_token_sealed: secrets.seal(`token-${name}`),
      status: 'creating',
    });
    const asked = { containerId, gpuCount, cpus: 0.5, memoryMb: 64, candidates, ports: PORTS };
    const r = await reserve(trx, asked);
    const job = await createJob(trx, {
      product: 'gpu-lab',
      type: 'container.create',
      target: { type: 'container', id: containerId },
      workflowId: `gpu-lab-container-${containerId}-create`,
      actor: 'test',
    });
    await trx('gpu_lab.containers')
      .where({ id: containerId })
      .update({ host_id: r.hostId, ssh_port: r.sshPort, jupyter_port: r.jupyterPort, job_id: job.id });
    const input: LabContainerInput = {
      containerId,
      jobId: job.id,
      name,
      image,
      cmd: ['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace'],
      cpus: 0.5,
      memoryMb: 64,
      gpus: r.devices,
      sshPort: r.sshPort,
      jupyterPort: r.jupyterPort,
      workspace: `${name}-workspace`,
      sshUser: 'lab',
      sealedSshPassword: secrets.seal(password),
      sealedJupyterToken: secrets.seal(`token-${name}`),
      hostQueue: hostQueue(r.hostId),
    };
    return { input, password, reservation: r };
  });
}

async function runJob(workflowType: string, workflowId: string, args: unknown[]) {
  const client = await temporal.client();
  const handle = await client.workflow.start(workflowType, { workflowId, taskQueue: CONTROL_QUEUE, args });
  await handle.result().catch(() => undefined);
}
const job = (id: string) => Job.query(db).findById(id);

describe('container workflows on per-host workers', () => {
  it('creates on its own host only: limits, workspace, ports, Jupyter token, SSH password set inside', async () => {
    const { input, password } = await reserveContainer([{ hostId: hosts.b, devices: [] }]);
    calls.length = 0;
    await runJob('createContainer', `gpu-lab-container-${input.containerId}-create`, [input]);
    expect(await job(input.jobId)).toMatchObject({ status: 'succeeded', error: null });
    expect((await job(input.jobId))!.steps.map((s) => s.name)).toEqual([
      'create workspace',
      'create container',
      'start container',
      'set ssh password',
    ]);
    expect(calls.length).toBeGreaterThanOrEqual(4);
    await saveHistory(
      { config: base },
      `gpu-lab-container-${input.containerId}-create`,
      'gpu-lab/create-container',
    );
    expect(calls.every((c) => c.startsWith(`${hosts.b}:`))).toBe(true);

    const row = await db('gpu_lab.containers').where({ id: input.containerId }).first();
    expect(row).toMatchObject({ status: 'running', host_id: hosts.b, error: null });
    const seen = await docker.getContainer(input.name).inspect();
    expect(seen.State.Running).toBe(true);
    expect(seen.HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 64 * 2 ** 20 });
    expect(seen.Config.Labels).toMatchObject({
      'dermaga.container': input.containerId,
      'dermaga.host': hosts.b,
    });
    expect(seen.Config.Env).toContain(`JUPYTER_TOKEN=token-${input.name}`);
    expect((await fetch(`http://127.0.0.1:${input.jupyterPort}/`)).status).toBeLessThan(500); // the Jupyter port reaches the container
    const shadow = await containers.exec(input.name, ['grep', '^lab:', '/etc/shadow']);
    expect(shadow.stdout).toMatch(/^lab:\$6\$/);
    // Neither the password nor the token is in the workflow's history: only sealed values travel.
    const history = JSON.stringify(
      await (
        await temporal.client()
      ).workflow
        .getHandle(`gpu-lab-container-${input.containerId}-create`)
        .fetchHistory(),
    );
    expect(history).not.toContain(password);
    expect(history).not.toContain(`token-${input.name}`);

    // Reads go through the owning host's worker too: stats, logs, batch stats.
    calls.length = 0;
    let lastRead = '';
    const read = (r: unknown) =>
      temporal.client().then((cl) =>
        cl.workflow.execute('readFromHost', {
          workflowId: (lastRead = `gpu-lab-read-${newId('r')}`),
          taskQueue: CONTROL_QUEUE,
          args: [input.hostQueue, r],
        }),
      );
    expect(await read({ kind: 'stats', containerId: input.containerId, name: input.name })).toMatchObject({
      memory: { limit_bytes: 64 * 2 ** 20 },
    });
    expect(
      typeof (await read({ kind: 'logs', containerId: input.containerId, name: input.name, tail: 10 })),
    ).toBe('string');
    expect(await read({ kind: 'batchStats', names: [input.name], budgetMs: 10_000 })).toMatchObject({
      [input.name]: { pids: expect.any(Number) },
    });
    await saveHistory({ config: base }, lastRead, 'gpu-lab/read-from-host');
    expect(calls).toEqual([`${hosts.b}:containerStats`, `${hosts.b}:containerLogs`, `${hosts.b}:batchStats`]);

    calls.length = 0;
    const del: DeleteContainerInput = {
      containerId: input.containerId,
      jobId: await deleteJob(input.containerId),
      name: input.name,
      workspace: input.workspace,
      keepWorkspace: false,
      hostQueue: input.hostQueue,
    };
    await runJob('deleteContainer', `gpu-lab-container-${input.containerId}-delete`, [del]);
    expect(await job(del.jobId)).toMatchObject({ status: 'succeeded' });
    await saveHistory(
      { config: base },
      `gpu-lab-container-${input.containerId}-delete`,
      'gpu-lab/delete-container',
    );
    expect(calls.every((c) => c.startsWith(`${hosts.b}:`))).toBe(true);
    expect(await containers.inspect(input.name)).toBeNull();
    await expect(docker.getVolume(input.workspace).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await db('gpu_lab.container_ports').where({ container_id: input.containerId })).toEqual([]);
  });

  it('undoes a create that Docker refuses, freeing its ports, and says why', async () => {
    const { input } = await reserveContainer(
      [{ hostId: hosts.a, devices: [] }],
      0,
      'dermaga-test/no-such-image:1',
    );
    calls.length = 0;
    await runJob('createContainer', `gpu-lab-container-${input.containerId}-create`, [input]);
    const failed = await job(input.jobId);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toMatch(/Docker refused to create .*no such image/i);
    expect(failed?.steps.map((s) => s.name)).toEqual([
      'create workspace',
      'create container',
      'undo create container',
      'undo create workspace',
    ]);
    await saveHistory(
      { config: base },
      `gpu-lab-container-${input.containerId}-create`,
      'gpu-lab/create-container-undone',
    );
    expect(calls.every((c) => c.startsWith(`${hosts.a}:`))).toBe(true);
    expect(await db('gpu_lab.containers').where({ id: input.containerId }).first()).toMatchObject({
      status: 'failed',
    });
    expect(await db('gpu_lab.container_ports').where({ container_id: input.containerId })).toEqual([]);
    await expect(docker.getVolume(input.workspace).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('actions on a running container', () => {
  it('stops, starts, restarts, changes the SSH password and resets (keeping or wiping the workspace), on its host', async () => {
    const { input } = await reserveContainer([{ hostId: hosts.a, devices: [] }]);
    await runJob('createContainer', `gpu-lab-container-${input.containerId}-create`, [input]);
    expect(await job(input.jobId)).toMatchObject({ status: 'succeeded' });
    const act = async (kind: string, extra: Record<string, unknown> = {}) => {
      const { id: jobId, workflow_id } = await actionJob(input.containerId, kind);
      calls.length = 0;
      await runJob('containerAction', workflow_id, [
        { ...input, jobId },
        { kind, ...extra },
      ]);
      expect(calls.every((c) => c.startsWith(`${hosts.a}:`))).toBe(true);
      return job(jobId);
    };
    const state = async () => (await containers.inspect(input.name))!;
    const status = async () =>
      (await db('gpu_lab.containers').where({ id: input.containerId }).first()).status;

    expect(await act('stop')).toMatchObject({ status: 'succeeded' });
    expect((await state()).running).toBe(false);
    expect(await status()).toBe('stopped');
    expect(await act('start')).toMatchObject({ status: 'succeeded' });
    expect((await state()).running).toBe(true);
    expect(await status()).toBe('running');
    const startedBefore = (await state()).startedAt;
    expect(await act('restart')).toMatchObject({ status: 'succeeded' });
    expect((await state()).startedAt).not.toBe(startedBefore);

    const shadow = async () => (await containers.exec(input.name, ['grep', '^lab:', '/etc/shadow'])).stdout;
    const before = await shadow();
    expect(
      await act('change-password', { sealedSshPassword: secrets.seal('An0ther-Lab-Passw0rd') }),
    ).toMatchObject({ status: 'succeeded' });
    expect(await shadow()).not.toBe(before);

    await containers.exec(input.name, ['sh', '-c', 'echo kept > /workspace/notes.txt']);
    const idBefore = (await state()).id;
    const kept = await act('reset', {
      wipeWorkspace: false,
      sealedSshPassword: secrets.seal('Reset-Lab-Passw0rd'),
    });
    expect(kept?.steps.map((s) => s.name)).toEqual([
      'remove container',
      'create container',
      'start container',
      'set ssh password',
    ]);
    await saveHistory({ config: base }, kept!.workflow_id, 'gpu-lab/reset-container');
    expect((await state()).id).not.toBe(idBefore);
    expect((await state()).ports).toEqual({ '22': input.sshPort, '8888': input.jupyterPort });
    expect((await containers.exec(input.name, ['cat', '/workspace/notes.txt'])).stdout).toBe('kept\n');

    expect(
      await act('reset', { wipeWorkspace: true, sealedSshPassword: secrets.seal('Reset-Lab-Passw0rd') }),
    ).toMatchObject({ status: 'succeeded' });
    expect((await containers.exec(input.name, ['ls', '/workspace'])).stdout).toBe('');
    expect(await status()).toBe('running');
  });
});

describe('reservations', () => {
  it('never gives two concurrent creates the same port or GPU, and refuses with 409 when none is free', async () => {
    const gpuHost = `gpu-c-${run}`;
    const devices = ['GPU-11111111-2222-3333-4444-555555555555', 'MIG-66666666-7777-8888-9999-000000000000'];
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () => reserveContainer([{ hostId: gpuHost, devices }], 1)),
    );
    const ok = results
      .filter((r) => r.status === 'fulfilled')
      .map(
        (r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof reserveContainer>>>).value.reservation,
      );
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(ok).toHaveLength(2);
    expect(new Set(ok.flatMap((r) => r.devices))).toEqual(new Set(devices));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(Conflict);
    expect(refused[0].message).toMatch(/no host has 1 free GPU/);
    const ports = ok.flatMap((r) => [r.sshPort, r.jupyterPort]);
    expect(new Set(ports).size).toBe(4);

    // Ports alone: more concurrent creates than the range has pairs for; no port is handed out twice.
    const cpuHost = `cpu-${run}`;
    const many = await Promise.allSettled(
      Array.from({ length: 7 }, () => reserveContainer([{ hostId: cpuHost, devices: [] }])),
    );
    const granted = many
      .filter((r) => r.status === 'fulfilled')
      .map(
        (r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof reserveContainer>>>).value.reservation,
      );
    expect(granted).toHaveLength(5); // 10 ports in the range, two per container
    expect(new Set(granted.flatMap((r) => [r.sshPort, r.jupyterPort])).size).toBe(10);
    expect(many.filter((r) => r.status === 'rejected')).toHaveLength(2);
  });
});

async function deleteJob(containerId: string): Promise<string> {
  return db.transaction(
    async (trx) =>
      (
        await createJob(trx, {
          product: 'gpu-lab',
          type: 'container.delete',
          target: { type: 'container', id: containerId },
          workflowId: `gpu-lab-container-${containerId}-delete`,
          actor: 'test',
        })
      ).id,
  );
}

function actionJob(containerId: string, kind: string) {
  return db.transaction((trx) =>
    createJob(trx, {
      product: 'gpu-lab',
      type: `container.${kind}`,
      target: { type: 'container', id: containerId },
      workflowId: `gpu-lab-container-${containerId}-${kind}-${newId('run')}`,
      actor: 'test',
    }),
  );
}
