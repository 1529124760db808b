import type { TestApi } from '../test/support/api';
import { withBenchStack } from './stack';
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
      const rows = await api
        .db('panel.sites')
        .whereIn('id', [...pending])
        .select('id', 'status');
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
    const res = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain: `${label}-${i}-${Date.now().toString(36)}.bench` },
    });
    posted.push(performance.now() - before);
    if (res.status !== 202) throw new Error(`create failed: ${res.status} ${res.text}`);
    started.set(res.body.site.id, before);
    ids.push(res.body.site.id);
    if (mode === 'serial') await waitActive([res.body.site.id]);
  }
  if (mode === 'burst') await waitActive(ids);
  const wall = performance.now() - t0;
  console.log(
    `\n${label}: ${n} sites, ${mode === 'serial' ? 'one at a time' : 'created back to back'} (${(wall / 1000).toFixed(1)} s in all)`,
  );
  console.log(summary('POST /v1/sites answer', posted));
  console.log(summary('create → active', toActive));
}

export const run = () =>
  withBenchStack(async (api, token) => {
    await measure(api, token, 'warmup', 'serial', 5);
    console.log('\n(the warm-up above primes the worker and connections; read the figures below)');
    await measure(api, token, 'serial', 'serial');
    await measure(api, token, 'burst', 'burst');
  });
