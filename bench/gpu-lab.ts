import { readFileSync } from 'node:fs';
import { createContainers } from '../adapters/containers';
import { createContainerHostActivities } from '../activities/gpu-lab/container-host';
import { loadConfig } from '../core/config';
import { createDocker } from '../core/docker';
import { newId } from '../core/ids';
import { createSecretBox } from '../core/secret-box';
import { CONTROL_QUEUE, hostQueue } from '../core/temporal';
import { ensureTestImage, TEST_IMAGE } from '../test/support/images';
import type { LeaseInput } from '../types/gpu-lab';
import { hashPassword } from '../core/crypto';
import type { TestApi } from '../test/support/api';
import { jobDone, withBenchStack } from './stack';
import { summary } from './stats';

const N = Number(process.env.BENCH_CONTAINERS ?? 50);
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const CREATES = Number(process.env.BENCH_CREATES ?? 30);

/** POST /docker/createContainer one at a time: the answer time, and the time until the job has the container running. */
async function measureCreates(api: TestApi): Promise<string[]> {
  const email = `bench-admin-${Date.now().toString(36)}@lab.test`;
  const userId = newId('usr');
  await api.db('gpu_lab.users').insert([
    {
      id: newId('usr'),
      email,
      name: 'Bench admin',
      password_hash: await hashPassword('Bench-Admin-Passw0rd'),
      role: 'admin',
    },
    {
      id: userId,
      email: `r-${email}`,
      name: 'Bench researcher',
      password_hash: await hashPassword('Bench-Admin-Passw0rd'),
      role: 'researcher',
    },
  ]);
  const token = (
    await api.request('POST', '/gpu-lab/api/v1/auth/admin/login', {
      body: { email, password: 'Bench-Admin-Passw0rd' },
    })
  ).body.data.accessToken;
  const answers: number[] = [];
  const running: number[] = [];
  const names: string[] = [];
  for (let i = 0; i < CREATES; i++) {
    const t0 = performance.now();
    const res = await api.request('POST', '/gpu-lab/api/v1/docker/createContainer', {
      token,
      body: { userId, image: TEST_IMAGE, cpus: 0.1, memoryMb: 64 },
    });
    answers.push(performance.now() - t0);
    if (res.status !== 202) throw new Error(`create: ${res.status} ${res.text}`);
    running.push(await jobDone(api, res.body.data.jobId, t0));
    names.push(res.body.data.container.name);
  }
  console.log(`\n${CREATES} containers created one at a time through POST /docker/createContainer`);
  console.log(summary('API answer', answers));
  console.log(summary('create → running', running));
  return names;
}

/**
 * gpu-lab figures: createContainer answer and time to running; batch stats over N running
 * containers (one activity, every container asked at once); the worker's memory while N lease
 * workflows wait on their timers.
 */
export function run() {
  Object.assign(process.env, {
    GPULAB_IMAGES: TEST_IMAGE,
    GPULAB_BIND_ADDRESS: '127.0.0.1',
    GPULAB_STOP_TIMEOUT_SECONDS: '1',
    GPULAB_CONTAINER_CMD: JSON.stringify(['/bin/sleep', '3600']),
  });
  return withBenchStack(async (api, _token, worker) => {
    const config = loadConfig();
    const docker = createDocker(config.DOCKER_HOST);
    const containers = createContainers(docker);
    const host = createContainerHostActivities({
      docker,
      containers,
      secrets: createSecretBox(config.DERMAGA_SECRET_KEY),
      hostId: config.HOST_ID,
      bindAddress: '127.0.0.1',
      stopTimeoutSec: 1,
    });
    await ensureTestImage(docker);
    const created = await measureCreates(api);
    for (const name of created) await containers.remove(name);
    const names = Array.from({ length: N }, (_, i) => `bench-${process.pid}-${i}`);
    try {
      for (const name of names) {
        await containers.create(
          {
            name,
            image: TEST_IMAGE,
            cmd: ['/bin/sleep', '3600'],
            labels: { 'dermaga.bench': '1' },
            cpus: 0.1,
            memoryMb: 16,
          },
          { label: 'dermaga.bench', value: '1' },
        );
        await containers.start(name);
      }
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const stats = await host.batchStats({ names, budgetMs: 30_000 });
        times.push(performance.now() - t0);
        const failed = Object.values(stats).filter((s) => 'error' in s).length;
        if (failed) throw new Error(`${failed} containers gave no stats`);
      }
      console.log(
        `\nbatch stats, ${N} running containers: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} (3 runs)`,
      );
    } finally {
      for (const name of names) await containers.remove(name);
    }

    // N leases, each waiting on a timer a day away, on the suite-like worker process.
    const client = await api.temporal.client();
    const before = rssMiB(worker.pid as number);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const id = newId('ctr');
      await api.db('gpu_lab.containers').insert({
        id,
        name: `lease-bench-${i}-${Date.now().toString(36)}`,
        owner_id: 'usr_bench',
        host_id: config.HOST_ID,
        image: TEST_IMAGE,
        cpus: 0.1,
        memory_mb: 16,
        workspace: `lease-bench-${i}`,
        ssh_port: 0,
        jupyter_port: 0,
        jupyter_token_sealed: '-',
        status: 'running',
      });
      const input: LeaseInput = {
        containerId: id,
        name: `lease-bench-${i}`,
        workspace: `lease-bench-${i}`,
        hostQueue: hostQueue(config.HOST_ID),
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        warnBeforeMs: 3_600_000,
        graceMs: 86_400_000,
      };
      await client.workflow.start('containerLease', {
        workflowId: `gpu-lab-lease-${id}`,
        taskQueue: CONTROL_QUEUE,
        args: [input],
      });
      ids.push(id);
    }
    for (;;) {
      const started = Number(
        (
          await api
            .db('gpu_lab.container_events')
            .whereIn('container_id', ids)
            .where({ kind: 'started' })
            .count('* as n')
            .first()
        )?.n,
      );
      if (started === N) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = rssMiB(worker.pid as number);
    console.log(
      `worker memory with ${N} lease workflows waiting: ${after.toFixed(0)} MiB (before starting them: ${before.toFixed(0)} MiB, +${(after - before).toFixed(0)} MiB)`,
    );
    for (const id of ids) await client.workflow.getHandle(`gpu-lab-lease-${id}`).terminate('bench over');
  });
}
