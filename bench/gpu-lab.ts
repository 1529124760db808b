import { readFileSync } from 'node:fs';
import { createContainers } from '../activities/adapters/containers';
import { createContainerHostActivities } from '../activities/gpu-lab/container-host';
import { loadConfig } from '../core/config';
import { createDocker } from '../core/docker';
import { newId } from '../core/ids';
import { createSecretBox } from '../core/secret-box';
import { CONTROL_QUEUE, hostQueue } from '../core/temporal';
import { ensureTestImage, TEST_IMAGE } from '../test/support/images';
import type { LeaseInput } from '../workflows/gpu-lab/lease';
import { withBenchStack } from './stack';

const N = Number(process.env.BENCH_CONTAINERS ?? 50);
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * gpu-lab figures: batch stats over N running containers (one activity, every container asked
 * at once), and the worker's memory while N lease workflows wait on their timers.
 */
export const run = () =>
  withBenchStack(async (api, _token, worker) => {
    const config = loadConfig();
    const docker = createDocker(config.DOCKER_HOST);
    const containers = createContainers(docker);
    const host = createContainerHostActivities({ docker, containers, secrets: createSecretBox(config.DERMAGA_SECRET_KEY), hostId: config.HOST_ID, bindAddress: '127.0.0.1', stopTimeoutSec: 1 });
    await ensureTestImage(docker);
    const names = Array.from({ length: N }, (_, i) => `bench-${process.pid}-${i}`);
    try {
      for (const name of names) {
        await containers.create({ name, image: TEST_IMAGE, cmd: ['/bin/sleep', '3600'], labels: { 'dermaga.bench': '1' }, cpus: 0.1, memoryMb: 16 }, { label: 'dermaga.bench', value: '1' });
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
      console.log(`\nbatch stats, ${N} running containers: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} (3 runs)`);
    } finally {
      for (const name of names) await containers.remove(name);
    }

    // N leases, each waiting on a timer a day away, on the suite-like worker process.
    const client = await api.temporal.client();
    const before = rssMiB(worker.pid as number);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const id = newId('ctr');
      await api.db('gpu_lab.containers').insert({ id, name: `lease-bench-${i}-${Date.now().toString(36)}`, owner_id: 'usr_bench', host_id: config.HOST_ID, image: TEST_IMAGE, cpus: 0.1, memory_mb: 16, workspace: `lease-bench-${i}`, ssh_port: 0, jupyter_port: 0, jupyter_token_sealed: '-', status: 'running' });
      const input: LeaseInput = { containerId: id, name: `lease-bench-${i}`, workspace: `lease-bench-${i}`, hostQueue: hostQueue(config.HOST_ID), endsAt: new Date(Date.now() + 86_400_000).toISOString(), warnBeforeMs: 3_600_000, graceMs: 86_400_000 };
      await client.workflow.start('containerLease', { workflowId: `gpu-lab-lease-${id}`, taskQueue: CONTROL_QUEUE, args: [input] });
      ids.push(id);
    }
    for (;;) {
      const started = Number((await api.db('gpu_lab.container_events').whereIn('container_id', ids).where({ kind: 'started' }).count('* as n').first())?.n);
      if (started === N) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = rssMiB(worker.pid as number);
    console.log(`worker memory with ${N} lease workflows waiting: ${after.toFixed(0)} MiB (before starting them: ${before.toFixed(0)} MiB, +${(after - before).toFixed(0)} MiB)`);
    for (const id of ids) await client.workflow.getHandle(`gpu-lab-lease-${id}`).terminate('bench over');
  });
