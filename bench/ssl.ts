import { jobDone, withBenchStack } from './stack';
import { summary } from './stats';

const N = Number(process.env.BENCH_CERTS ?? 20);

/**
 * Certificate issue time against pebble (the stack's local ACME CA): POST /v1/ssl/issue → job
 * succeeded (order, HTTP-01 through nginx, finalize, vhost, nginx -t, reload, served check), one
 * site at a time; then one renewal of all of them.
 */
export const run = () =>
  withBenchStack(async (api, token) => {
    const domains: string[] = [];
    for (let i = 0; i < N; i++) {
      const res = await api.request('POST', '/panel/v1/sites', {
        token,
        body: { domain: `tls-${i}-${Date.now().toString(36)}.bench` },
      });
      await jobDone(api, res.body.job_id, performance.now());
      domains.push(res.body.site.domain);
    }
    const times: number[] = [];
    for (const domain of domains) {
      const t0 = performance.now();
      const res = await api.request('POST', '/panel/v1/ssl/issue', {
        token,
        body: { domain, email: 'ops@example.com' },
      });
      if (res.status !== 202) throw new Error(`issue: ${res.status} ${res.text}`);
      times.push(await jobDone(api, res.body.job_id, t0));
    }
    console.log(`\n${N} certificates from pebble, one at a time`);
    console.log(summary('issue → served over HTTPS', times));
    const t0 = performance.now();
    const renewal = await api.request('POST', '/panel/v1/ssl/renew', { token, body: { all: true } });
    const total = await jobDone(api, renewal.body.job_id, t0);
    console.log(
      `renew all ${N}: ${(total / 1000).toFixed(1)} s (${(total / N).toFixed(0)} ms per certificate)`,
    );
  });
