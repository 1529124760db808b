import os from 'node:os';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { startApiProcess, type ApiProcess } from '../../test/support/api-process';
import { withBenchStack } from '../stack';
import { summary } from '../stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const BURST = Number(process.env.BENCH_BURST ?? 20);
const STUCK_AFTER_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `kill -9` of the API mid-burst, ROUNDS times: BURST site creates sent 10 ms apart, the API killed
 * once half of them have committed, restarted at once. Every site a create committed must become active (the outbox
 * starts what the dead API did not); prints how many were still not active a minute after the kill
 * (must be 0), the time from the kill to all active, and jobs whose steps ran twice (must be 0).
 */
export async function run(): Promise<void> {
  await withBenchStack(async (api, token) => {
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'dermaga-api-kill-'));
    let proc: ApiProcess = await startApiProcess({}, logDir);
    const toActive: number[] = [];
    const answered: number[] = [];
    let stuck = 0;
    let committed = 0;
    let doubled = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const prefix = `kill-${round}-${Date.now().toString(36)}`;
      const url = proc.url;
      const posts = Array.from({ length: BURST }, (_, i) =>
        sleep(i * 10).then(() =>
          fetch(`${url}/panel/v1/sites`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ domain: `${prefix}-${i}.bench`, runtime: 'static' }),
          })
            .then((r) => r.status)
            .catch(() => 0),
        ),
      );
      // Mid-burst: once half the creates have committed (others are between their commit and their start, or not committed yet).
      const sentAt = performance.now();
      while (performance.now() - sentAt < 30_000) {
        const [{ n }] = await api.db('panel.sites').where('domain', 'like', `${prefix}-%`).count({ n: '*' });
        if (Number(n) >= BURST / 2) break;
        await sleep(5);
      }
      proc.child.kill('SIGKILL');
      const killedAt = performance.now();
      await proc.exited;
      const statuses = await Promise.all(posts);
      answered.push(statuses.filter((s) => s === 202).length);
      proc = await startApiProcess({}, logDir);
      let rows: { id: string; status: string; job_id: string }[] = [];
      for (;;) {
        rows = await api
          .db('panel.sites')
          .where('domain', 'like', `${prefix}-%`)
          .select('id', 'status', 'job_id');
        if (rows.every((r) => r.status === 'active')) {
          toActive.push(performance.now() - killedAt);
          break;
        }
        if (performance.now() - killedAt > STUCK_AFTER_MS) break;
        await sleep(100);
      }
      committed += rows.length;
      const left = rows.filter((r) => r.status !== 'active').length;
      stuck += left;
      const jobs = await api
        .db('platform.jobs')
        .whereIn(
          'id',
          rows.map((r) => r.job_id),
        )
        .select('steps');
      doubled += jobs.filter(
        (j) => new Set(j.steps.map((s: { name: string }) => s.name)).size !== j.steps.length,
      ).length;
      console.log(
        `round ${String(round).padStart(2)}: ${statuses.filter((s) => s === 202).length}/${BURST} answered 202 before the kill, ${rows.length} committed (${rows.length - statuses.filter((s) => s === 202).length} without an answer), ${left} not active after ${left ? '60 s' : `${((performance.now() - killedAt) / 1000).toFixed(1)} s`}`,
      );
    }
    proc.child.kill('SIGTERM');
    await proc.exited;
    console.log(
      `\n${ROUNDS} rounds of ${BURST} creates with kill -9 of the API mid-burst: ${committed} sites committed, ${stuck} stuck a minute after the kill (must be 0), ${doubled} jobs with a step run twice (must be 0)`,
    );
    console.log(summary('kill → all active', toActive));
    console.log(
      `(the API restarts in a few seconds of that; WORKFLOW_START_GRACE_SECONDS=${api.config.WORKFLOW_START_GRACE_SECONDS}, Schedule every ${api.config.WORKFLOW_START_RECONCILE_SECONDS} s)`,
    );
  });
}
