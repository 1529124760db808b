import os from 'node:os';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { login, startApi, type TestApi } from '../../test/support/api';
import { spawnTs, stopProcess, waitForLine } from '../../test/support/processes';
import { startTcpProxy } from '../../test/support/tcp-proxy';
import { withBenchStack } from '../stack';
import { summary } from '../stats';

const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_MS ?? 20_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

/**
 * Temporal stopped for OUTAGE_MS, for the API and the worker alike (both reach it through a TCP
 * proxy that is cut): a site create every 2 s during it (its answer and time), /healthz likewise,
 * then the time from Temporal's return until every site created during the outage is active.
 */
export async function run(): Promise<void> {
  await withBenchStack(async (_api, _token, benchWorker) => {
    const [host, port] = (process.env.TEMPORAL_ADDRESS as string).split(':');
    const proxy = await startTcpProxy(host, Number(port));
    await stopProcess(benchWorker);
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'dermaga-temporal-stop-'));
    const worker = spawnTs(
      'worker/index.ts',
      { TEMPORAL_ADDRESS: proxy.address, LOG_LEVEL: 'info' },
      path.join(logDir, 'worker.log'),
    );
    let api: TestApi | undefined;
    try {
      await waitForLine(worker, /worker polling/, 180_000);
      api = await startApi({ TEMPORAL_ADDRESS: proxy.address });
      const token = await login(api);
      const create = (label: string) =>
        api!.request('POST', '/panel/v1/sites', {
          token,
          body: { domain: `${label}-${Date.now().toString(36)}.bench`, runtime: 'static' },
        });
      const warm = await create('warm');
      if (warm.status !== 202) throw new Error(`warm-up create: ${warm.status} ${warm.text}`);

      await proxy.cut();
      const downAt = performance.now();
      const answers: { status: number; ms: number; message: string }[] = [];
      const health: number[] = [];
      const ids: string[] = [];
      while (performance.now() - downAt < OUTAGE_MS) {
        const [res, ms] = await timed(() => create('outage'));
        answers.push({ status: res.status, ms, message: res.body?.error?.message ?? '' });
        const [h, hms] = await timed(() => api!.request('GET', '/healthz'));
        health.push(hms);
        if (h.status !== 503) console.log(`healthz answered ${h.status} during the outage`);
        await sleep(2000);
      }
      const rows = await api.db('panel.sites').where('domain', 'like', 'outage-%').select('id');
      ids.push(...rows.map((r) => r.id));
      await proxy.restore();
      const upAt = performance.now();
      for (;;) {
        const states = await api.db('panel.sites').whereIn('id', ids).select('status');
        if (states.every((s) => s.status === 'active')) break;
        if (performance.now() - upAt > 120_000)
          throw new Error(`not all active 120 s after Temporal returned: ${JSON.stringify(states)}`);
        await sleep(50);
      }
      const recovered = performance.now() - upAt;
      const byStatus = answers.reduce<Record<number, number>>(
        (acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }),
        {},
      );
      console.log(
        `\nTemporal stopped for ${(OUTAGE_MS / 1000).toFixed(0)} s (API and worker cut off alike); TEMPORAL_RPC_TIMEOUT_MS=${api.config.TEMPORAL_RPC_TIMEOUT_MS}`,
      );
      console.log(
        `POST /panel/v1/sites during it: ${JSON.stringify(byStatus)}, e.g. "${answers[0]?.message}"`,
      );
      console.log(
        summary(
          'POST /v1/sites answer (down)',
          answers.map((a) => a.ms),
        ),
      );
      console.log(summary('GET /healthz answer (down)', health));
      console.log(
        `Temporal back → all ${ids.length} sites created during the outage active: ${(recovered / 1000).toFixed(1)} s (Schedule every ${api.config.WORKFLOW_START_RECONCILE_SECONDS} s, grace ${api.config.WORKFLOW_START_GRACE_SECONDS} s)`,
      );
    } finally {
      await api?.close();
      await stopProcess(worker);
      await proxy.close();
    }
  });
}
