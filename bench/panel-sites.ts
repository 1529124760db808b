import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { createDb, migrate } from '../core/db';
import { startStack } from '../scripts/stack';
import { freePort } from '../scripts/stack/processes';
import { login, startApi, type TestApi } from '../test/support/api';
import { spawnTs, stopProcess, waitForLine } from '../test/support/processes';
import { summary } from './stats';

const N = Number(process.env.BENCH_SITES ?? 50);

/** Creates sites and records, per site, the POST answer time and the time until it is active. */
async function measure(api: TestApi, token: string, label: string, mode: 'serial' | 'burst', n = N) {
  const posted: number[] = [];
  const toActive: number[] = [];
  const started = new Map<string, number>();
  const waitActive = async (ids: string[]) => {
    const pending = new Set(ids);
    while (pending.size) {
      const rows = await api.db('panel.sites').whereIn('id', [...pending]).select('id', 'status');
      const now = performance.now();
      for (const r of rows) {
        if (r.status === 'failed') throw new Error(`site ${r.id} failed`);
        if (r.status === 'active') {
          toActive.push(now - (started.get(r.id) as number));
          pending.delete(r.id);
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const before = performance.now();
    const res = await api.request('POST', '/panel/v1/sites', { token, body: { domain: `${label}-${i}-${Date.now().toString(36)}.bench` } });
    posted.push(performance.now() - before);
    if (res.status !== 202) throw new Error(`create failed: ${res.status} ${res.text}`);
    started.set(res.body.site.id, before);
    ids.push(res.body.site.id);
    if (mode === 'serial') await waitActive([res.body.site.id]);
  }
  if (mode === 'burst') await waitActive(ids);
  const wall = performance.now() - t0;
  console.log(`\n${label}: ${n} sites, ${mode === 'serial' ? 'one at a time' : 'created back to back'} (${(wall / 1000).toFixed(1)} s in all)`);
  console.log(summary('POST /v1/sites answer', posted));
  console.log(summary('create → active', toActive));
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dermaga-bench-'));
  chmodSync(dataDir, 0o755); // postgres and nginx workers run as other users
  const [postgres, temporal, temporalUi, nginx, mariadb] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const stack = await startStack({ dataDir, ports: { postgres, temporal, temporalUi, nginx, mariadb }, headlessTemporal: true, temporalDbFile: null, throwaway: true });
  Object.assign(process.env, stack.env, { LOG_LEVEL: 'warn', PANEL_BOOTSTRAP_PASSWORD: 'Bootstrap-Passw0rd!' });
  const db = createDb(loadConfig().DATABASE_URL);
  await migrate(db);
  await db.destroy();
  const worker = spawnTs('worker/index.ts', { LOG_LEVEL: 'info' }, path.join(dataDir, 'worker.log'));
  await waitForLine(worker, /worker polling/);
  const api = await startApi();
  try {
    const token = await login(api);
    await measure(api, token, 'warmup', 'serial', 5);
    console.log('\n(the warm-up above primes the worker and connections; read the figures below)');
    await measure(api, token, 'serial', 'serial');
    await measure(api, token, 'burst', 'burst');
    console.log(`\nmachine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  } finally {
    await api.close();
    await stopProcess(worker);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
