import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { createDocker } from '../core/docker';
import type { TestApi } from '../test/support/api';
import { ensurePaasImage } from '../test/support/paas-images';
import { paasCall, paasTenant, serviceConfig } from '../test/support/paas-deploy';
import { withBenchStack } from './stack';
import { percentile, summary } from './stats';

const run$ = promisify(execFile);
const SERVICES = Number(process.env.BENCH_PAAS_SERVICES ?? 20);
const READS = Number(process.env.BENCH_PAAS_READS ?? 100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const accepts = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
  });

/** `docker run` of the image on the same engine, until its port accepts connections (the same readiness the deployment waits for). */
async function bareRuns(image: string): Promise<number[]> {
  const docker = createDocker(process.env.DOCKER_HOST);
  await docker.createNetwork({ Name: `bench-bare-${process.pid}`, Driver: 'bridge' }).catch(() => undefined);
  const times: number[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const name = `bench-bare-${process.pid}-${i}`;
    const t0 = performance.now();
    await run$('docker', [
      'run',
      '-d',
      '--name',
      name,
      '--network',
      `bench-bare-${process.pid}`,
      '--cpus',
      '0.05',
      '--memory',
      '32m',
      '-p',
      '127.0.0.1::8080',
      image,
    ]);
    const ip = (await docker.getContainer(name).inspect()).NetworkSettings.Networks[
      `bench-bare-${process.pid}`
    ].IPAddress;
    while (!(await accepts(ip, 8080))) await sleep(5);
    times.push(performance.now() - t0);
    await docker.getContainer(name).remove({ force: true });
  }
  await docker
    .getNetwork(`bench-bare-${process.pid}`)
    .remove()
    .catch(() => undefined);
  return times;
}

/** Polls the deployment row until it ends; the ms since `t0`. */
async function ended(api: TestApi, deploymentId: string, t0: number): Promise<number> {
  for (;;) {
    const d = await api.db('paas.deployments').where({ id: deploymentId }).first('status', 'error');
    if (d.status === 'failed') throw new Error(`deployment ${deploymentId} failed: ${d.error}`);
    if (d.status === 'completed') return performance.now() - t0;
    await sleep(5);
  }
}

async function newService(api: TestApi, image: string, i: number) {
  const tenant = await paasTenant(api, `bench${i}`);
  const res = await paasCall(api)('POST', '/services', tenant.token, {
    name: `bench-${i}`,
    type: 'web',
    config: serviceConfig(image, { resources: { cpu: 50, memory: 32, disk: 8 } }),
  });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
  return { token: tenant.token, id: res.body.id as string };
}

async function start(api: TestApi, s: { token: string; id: string }) {
  const t0 = performance.now();
  const res = await paasCall(api)('POST', `/services/${s.id}/start`, s.token);
  if (res.status !== 200) throw new Error(`start: ${res.status} ${res.text}`);
  return ended(api, res.body.deployment.id, t0);
}

/** Where the time went: each workflow step's duration (from the jobs' step records), median and p99 over the services. */
async function stepTimes(api: TestApi, services: { id: string }[]) {
  const jobs: { steps: { name: string; started_at: string; finished_at?: string }[] }[] = await api
    .db('platform.jobs')
    .whereIn(
      'target_id',
      services.map((s) => s.id),
    )
    .where({ type: 'service.start' });
  const by = new Map<string, number[]>();
  for (const j of jobs)
    for (const st of j.steps)
      if (st.finished_at)
        by.set(st.name, [...(by.get(st.name) ?? []), Date.parse(st.finished_at) - Date.parse(st.started_at)]);
  for (const [name, times] of by) console.log(summary(`  step: ${name}`, times));
}

async function deleteAll(api: TestApi, services: { token: string; id: string }[]) {
  await Promise.all(services.map((s) => paasCall(api)('DELETE', `/services/${s.id}`, s.token)));
  while (
    Number(
      (
        await api
          .db('paas.services')
          .whereIn(
            'id',
            services.map((s) => s.id),
          )
          .count('* as n')
      )[0].n,
    ) > 0
  )
    await sleep(50);
}

/**
 * paas figures: start → completed over SERVICES services one at a time, beside a bare `docker run`
 * of the same image in the same run; SERVICES tenants starting at once (time to the last); GET
 * metrics and logs answer times over READS calls on a running service.
 */
export function run() {
  Object.assign(process.env, { PAAS_BIND_ADDRESS: '127.0.0.1', PAAS_STOP_TIMEOUT_SECONDS: '1' });
  return withBenchStack(async (api) => {
    const image = await ensurePaasImage(createDocker(process.env.DOCKER_HOST), 'web', 'v1');
    const bare = await bareRuns(image);

    const one: number[] = [];
    const sequential = [];
    for (let i = 0; i < SERVICES; i++) {
      const s = await newService(api, image, i);
      sequential.push(s);
      one.push(await start(api, s));
    }
    console.log(
      `\n${SERVICES} services started one at a time (image ${image}, ready = port accepts connections)`,
    );
    console.log(summary('bare docker run → ready', bare));
    console.log(summary('POST start → completed', one));
    console.log(
      `goal ≤ 1.5 × bare + 1 s = ${(1.5 * percentile(bare, 50) + 1000).toFixed(0)} ms (medians); measured ${percentile(one, 50).toFixed(0)} ms`,
    );
    await stepTimes(api, sequential);

    // Reads on a running service, through its host's worker.
    const target = sequential[0];
    const call = paasCall(api);
    for (const path of ['metrics', 'logs']) {
      const times: number[] = [];
      for (let i = 0; i < READS; i++) {
        const t0 = performance.now();
        const res = await call('GET', `/services/${target.id}/${path}`, target.token);
        times.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
      }
      console.log(summary(`GET /services/:id/${path}`, times));
    }
    await deleteAll(api, sequential);

    // Many tenants at once.
    const many = await Promise.all(
      Array.from({ length: SERVICES }, (_, i) => newService(api, image, 100 + i)),
    );
    const t0 = performance.now();
    const each = await Promise.all(many.map((s) => start(api, s)));
    console.log(
      `\n${SERVICES} tenants starting a service at once: all completed, the last after ${(performance.now() - t0).toFixed(0)} ms`,
    );
    console.log(summary('each start → completed', each));
    await stepTimes(api, many);
    await deleteAll(api, many);
  });
}
