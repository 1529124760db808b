import net from 'node:net';
import { createContainers } from '../../adapters/containers';
import { hashPassword } from '../../core/crypto';
import { createDocker } from '../../core/docker';
import { newId } from '../../core/ids';
import { ensureTestImage, TEST_IMAGE } from '../../test/support/images';
import { withBenchStack } from '../stack';
import { summary } from '../stats';

const CREATES = Number(process.env.BENCH_CREATES ?? 10);
const FROM = 29000;

/**
 * Item 6 of issue 12: another process holds the first port of GPULAB_PORT_RANGE (the one a create
 * would pick first). CREATES creates one at a time: how many end running, how many failed, on
 * which ports, and the create's answer time (it now asks the host which ports it uses).
 */
export async function busyPort(): Promise<void> {
  Object.assign(process.env, {
    GPULAB_IMAGES: TEST_IMAGE,
    GPULAB_PORT_RANGE: `${FROM}-${FROM + 2 * CREATES + 9}`,
    GPULAB_BIND_ADDRESS: '127.0.0.1',
    GPULAB_STOP_TIMEOUT_SECONDS: '1',
    GPULAB_CONTAINER_CMD: JSON.stringify(['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace']),
  });
  const docker = createDocker(process.env.DOCKER_HOST);
  await ensureTestImage(docker);
  await withBenchStack(async (api) => {
    const email = `bench-admin-${Date.now().toString(36)}@lab.test`;
    const userId = newId('usr');
    const hash = await hashPassword('Bench-Admin-Passw0rd');
    await api.db('gpu_lab.users').insert([
      { id: newId('usr'), email, name: 'Bench admin', password_hash: hash, role: 'admin' },
      { id: userId, email: `r-${email}`, name: 'Bench researcher', password_hash: hash, role: 'researcher' },
    ]);
    const token = (
      await api.request('POST', '/gpu-lab/api/v1/auth/admin/login', {
        body: { email, password: 'Bench-Admin-Passw0rd' },
      })
    ).body.data.accessToken;
    const held = net.createServer();
    await new Promise<void>((resolve, reject) =>
      held.once('error', reject).listen(FROM, '127.0.0.1', resolve),
    );
    const answers: number[] = [];
    const outcomes: string[] = [];
    const names: string[] = [];
    try {
      for (let i = 0; i < CREATES; i++) {
        const t0 = performance.now();
        const res = await api.request('POST', '/gpu-lab/api/v1/docker/createContainer', {
          token,
          body: { userId, image: TEST_IMAGE, cpus: 0.1, memoryMb: 64 },
        });
        answers.push(performance.now() - t0);
        if (res.status !== 202) throw new Error(`create: ${res.status} ${res.text}`);
        const { container, jobId } = res.body.data;
        names.push(container.name);
        let job;
        do {
          await new Promise((r) => setTimeout(r, 20));
          job = await api.db('platform.jobs').where({ id: jobId }).first('status', 'error');
        } while (job.status !== 'succeeded' && job.status !== 'failed');
        outcomes.push(
          `${job.status === 'succeeded' ? 'running' : 'failed'} on ${container.sshPort},${container.jupyterPort}`,
        );
      }
    } finally {
      await new Promise((r) => held.close(r));
      const containers = createContainers(docker);
      for (const name of names) await containers.remove(name).catch(() => undefined);
      for (const name of names) await containers.removeVolume(`${name}-workspace`).catch(() => undefined);
    }
    const running = outcomes.filter((o) => o.startsWith('running')).length;
    console.log(
      `port ${FROM} held by another process; ${CREATES} creates one at a time: ${running} running, ${CREATES - running} failed`,
    );
    console.log(`  ${outcomes.join('; ')}`);
    console.log(summary('create answer (202)', answers));
  });
}
