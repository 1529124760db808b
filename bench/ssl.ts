import type { TestApi } from '../test/support/api';
import { withBenchStack } from './stack';
import { summary } from './stats';

const N = Number(process.env.BENCH_CERTS ?? 20);

/** Waits for a job to finish and returns when it did (ms since `since`), failing on a failed job. */
async function finished(api: TestApi, jobId: string, since: number): Promise<number> {
  for (;;) {
    const job = await api.db('platform.jobs').where({ id: jobId }).first('status', 'error');
    if (job.status === 'failed') throw new Error(`job ${jobId} failed: ${job.error}`);
    if (job.status === 'succeeded') return performance.now() - since;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Certificate issue time against pebble (the stack's local ACME CA): POST /v1/ssl/issue → job
 * succeeded (order, HTTP-01 through nginx, finalize, vhost, nginx -t, reload, served check), one
 * site at a time; then one renewal of all of them.
 */
export const run = () =>
  withBenchStack(async (api, token) => {
    const domains: string[] = [];
    for (let i = 0; i < N; i++) {
      const res = await api.request('POST', '/panel/v1/sites', { token, body: { domain: `tls-${i}-${Date.now().toString(36)}.bench` } });
      await finished(api, res.body.job_id, performance.now());
      domains.push(res.body.site.domain);
    }
    const times: number[] = [];
    for (const domain of domains) {
      const t0 = performance.now();
      const res = await api.request('POST', '/panel/v1/ssl/issue', { token, body: { domain, email: 'ops@example.com' } });
      if (res.status !== 202) throw new Error(`issue: ${res.status} ${res.text}`);
      times.push(await finished(api, res.body.job_id, t0));
    }
    console.log(`\n${N} certificates from pebble, one at a time`);
    console.log(summary('issue → served over HTTPS', times));
    const t0 = performance.now();
    const renewal = await api.request('POST', '/panel/v1/ssl/renew', { token, body: { all: true } });
    const total = await finished(api, renewal.body.job_id, t0);
    console.log(`renew all ${N}: ${(total / 1000).toFixed(1)} s (${(total / N).toFixed(0)} ms per certificate)`);
  });
