import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { jobDone, withBenchStack } from './stack';

const SITES = Number(process.env.BENCH_SITES ?? 20);
const MB = Number(process.env.BENCH_SITE_MB ?? 10);

/**
 * Backup and restore of SITES sites with MB MiB of random (incompressible) files each: the time of
 * POST /v1/backup/run → job done, the backup's size, and POST /v1/backup/restore → job done after
 * every site was deleted (re-provision + unpack of each).
 */
export const run = () =>
  withBenchStack(async (api, token) => {
    const sites: { id: string; root_path: string }[] = [];
    for (let i = 0; i < SITES; i++) {
      const res = await api.request('POST', '/panel/v1/sites', {
        token,
        body: { domain: `bk-${i}-${Date.now().toString(36)}.bench` },
      });
      await jobDone(api, res.body.job_id, performance.now());
      sites.push(res.body.site);
      writeFileSync(path.join(res.body.site.root_path, 'data.bin'), randomBytes(MB * 2 ** 20));
    }
    let t0 = performance.now();
    const run = await api.request('POST', '/panel/v1/backup/run', { token });
    const backupMs = await jobDone(api, run.body.job_id, t0);
    const [backup] = (await api.request('GET', '/panel/v1/backup/list', { token })).body.backups;

    for (const s of sites) {
      const del = await api.request('DELETE', `/panel/v1/sites/${s.id}`, { token });
      await jobDone(api, del.body.job_id, performance.now());
    }
    t0 = performance.now();
    const restore = await api.request('POST', '/panel/v1/backup/restore', {
      token,
      body: { file: backup.file },
    });
    const restoreMs = await jobDone(api, restore.body.job_id, t0);

    console.log(`\n${SITES} sites × ${MB} MiB of random data`);
    console.log(
      `backup   ${(backupMs / 1000).toFixed(1)} s   size ${(backup.bytes / 2 ** 20).toFixed(1)} MiB (${backup.file})`,
    );
    console.log(
      `restore  ${(restoreMs / 1000).toFixed(1)} s   (checksums, ${SITES} sites provisioned again and unpacked)`,
    );
  });
