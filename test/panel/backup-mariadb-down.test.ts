import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/stack/processes';
import { login, startApi, type TestApi } from '../support/api';
import { startHostWorker } from '../support/host-worker';
import { waitForJob } from '../support/panel';

// A panel host whose MariaDB is down: its worker is told a port nothing listens on.
let api: TestApi;
let token: string;
let hostWorker: Awaited<ReturnType<typeof startHostWorker>>;
let dir: string;

beforeAll(async () => {
  dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'dermaga-backups-down-')), 'backups');
  api = await startApi({ HOST_ID: `backup-down-${process.pid}`, PANEL_BACKUP_DIR: dir });
  token = await login(api);
  const dead = `mysql://nobody:x@127.0.0.1:${await freePort()}`;
  hostWorker = await startHostWorker({ ...api.config, PANEL_MYSQL_URL: dead });
});
afterAll(async () => {
  await hostWorker.stop();
  await api.close();
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('a backup while MariaDB is down', () => {
  it('fails its job with the reason after bounded retries and leaves no partial backup', async () => {
    const name = `down_${process.pid}_${Date.now().toString(36)}`;
    expect((await api.request('POST', '/panel/v1/db/databases', { token, body: { name } })).status).toBe(201);
    const res = await api.request('POST', '/panel/v1/backup/run', { token });
    expect(res.status).toBe(202);
    const job = await waitForJob(api, token, res.body.job_id, 120_000);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(
      /^backup failed: mariadb-dump exited \d+: .*(Can't connect|Connection refused)/,
    );
    expect(readdirSync(dir)).toEqual([]); // not even a partial directory
    expect((await api.request('GET', '/panel/v1/backup/list', { token })).body.backups).toEqual([]);
  });
});
