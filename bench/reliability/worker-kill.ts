import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { login, startApi, type TestApi } from '../../test/support/api';
import { spawnTs, stopProcess, waitForLine } from '../../test/support/processes';
import { withBenchStack } from '../stack';
import { summary } from '../stats';

const ROUNDS = Number(process.env.BENCH_KILL_ROUNDS ?? 5);
const HOST_ID = 'bench-kill';

/** Resolves with the time (performance.now()) the process prints a line matching `re`. */
const lineAt = (child: ChildProcess, re: RegExp, timeoutMs = 180_000) =>
  waitForLine(child, re, timeoutMs).then(() => performance.now());

/**
 * `kill -9` of a host worker while a site's `writeVhost` step runs on it, then a replacement started
 * at once (as a supervisor would): the time from the death, and from the replacement polling, to the
 * step's retry on the replacement and to the site being active. Then the same with a second worker
 * already polling (no process start in the figure).
 */
export async function run(): Promise<void> {
  await withBenchStack(async () => {
    // Sites of this API live on a host whose worker the bench starts and kills; the stack's worker
    // keeps running the workflows (control queue).
    const api = await startApi({ HOST_ID });
    const token = await login(api);
    const logDir = path.join(process.env.TMPDIR ?? '/tmp', `dermaga-bench-kill-${process.pid}`);
    const worker = (name: string, delayMs: number) =>
      spawnTs(
        'test/support/slow-host-worker.ts',
        { WORKER_ROLES: 'host', HOST_ID, LOG_LEVEL: 'warn', SLOW_ACTIVITY_MS: String(delayMs) },
        path.join(logDir, `${name}.log`),
      );
    const deathToPolling: number[] = [];
    const deathToRetry: number[] = [];
    const pollingToRetry: number[] = [];
    const deathToActive: number[] = [];
    const pollingToActive: number[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const doomed = worker(`doomed-${i}`, 1500);
        await waitForLine(doomed, /worker polling/);
        const res = await api.request('POST', '/panel/v1/sites', {
          token,
          body: { domain: `kill-${i}-${Date.now().toString(36)}.bench` },
        });
        if (res.status !== 202) throw new Error(`create failed: ${res.status} ${res.text}`);
        await waitForLine(doomed, /activity started: writeVhost/, 60_000);
        const exited = new Promise((r) => doomed.once('exit', r));
        doomed.kill('SIGKILL');
        const death = performance.now();
        await exited;

        const replacement = worker(`replacement-${i}`, 0);
        const polling = lineAt(replacement, /worker polling/);
        const retried = lineAt(replacement, /activity started: writeVhost/);
        const active = waitActive(api, res.body.site.id);
        const [p, r, a] = await Promise.all([polling, retried, active]);
        deathToPolling.push(p - death);
        deathToRetry.push(r - death);
        pollingToRetry.push(r - p);
        deathToActive.push(a - death);
        pollingToActive.push(a - p);
        console.log(
          `round ${i + 1}: replacement polling +${((p - death) / 1000).toFixed(1)} s, step retried +${((r - death) / 1000).toFixed(1)} s, site active +${((a - death) / 1000).toFixed(1)} s after the death`,
        );
        await stopProcess(replacement);
      }
      console.log(
        `\nhost worker killed mid-step (writeVhost), replacement started at once: ${ROUNDS} rounds`,
      );
      console.log(summary('death → replacement polling', deathToPolling));
      console.log(summary('death → step retried', deathToRetry));
      console.log(summary('polling → step retried', pollingToRetry));
      console.log(summary('death → site active', deathToActive));
      console.log(summary('polling → site active', pollingToActive));
      console.log('');
      await standby(api, token, worker);
    } finally {
      await api.close();
    }
  });
}

/** Resolves with the time the site's row turns active (throws if it fails). */
async function waitActive(api: TestApi, siteId: string): Promise<number> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    const row = await api.db('panel.sites').where({ id: siteId }).first('status');
    if (row?.status === 'failed') throw new Error(`site ${siteId} failed`);
    if (row?.status === 'active') return performance.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`site ${siteId} not active within 180 s`);
}

/**
 * Two workers poll the host's queue; the one running `writeVhost` is killed: the time from its death
 * to the step's retry on the other is Temporal noticing the death (heartbeat or start-to-close
 * timeout) plus the retry's backoff, with no process start in it.
 */
async function standby(
  api: TestApi,
  token: string,
  worker: (name: string, delayMs: number) => ChildProcess,
): Promise<void> {
  const deathToRetry: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const pair = [worker(`standby-a-${i}`, 1500), worker(`standby-b-${i}`, 1500)];
    await Promise.all(pair.map((w) => waitForLine(w, /worker polling/)));
    const started = pair.map((w, n) => lineAt(w, /activity started: writeVhost/).then(() => n));
    started.forEach((p) => p.catch(() => undefined)); // the killed one's wait ends with its exit
    const res = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain: `standby-${i}-${Date.now().toString(36)}.bench` },
    });
    if (res.status !== 202) throw new Error(`create failed: ${res.status} ${res.text}`);
    const runner = await Promise.race(started);
    const [doomed, survivor] = runner === 0 ? pair : [pair[1], pair[0]];
    const exited = new Promise((r) => doomed.once('exit', r));
    doomed.kill('SIGKILL');
    const death = performance.now();
    await exited;
    const retried = await started[runner === 0 ? 1 : 0].then(() => performance.now());
    deathToRetry.push(retried - death);
    await waitActive(api, res.body.site.id);
    console.log(
      `standby round ${i + 1}: step retried on the other worker +${((retried - death) / 1000).toFixed(1)} s after the death`,
    );
    await stopProcess(survivor);
  }
  console.log(
    `\nhost worker killed mid-step (writeVhost) while a second worker polls the queue: ${ROUNDS} rounds`,
  );
  console.log(summary('death → step retried', deathToRetry));
}
