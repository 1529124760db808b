import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { saveHistory } from '../support/histories';
import { startHostWorker } from '../support/host-worker';
import { fetchSite } from '../support/nginx';
import { waitForJob, waitForSite } from '../support/panel';

// This file's panel host has its own id, worker and backup directory: a backup holds only its sites.
let api: TestApi;
let token: string;
let hostWorker: Awaited<ReturnType<typeof startHostWorker>>;
let root: Connection;
let dir: string;

beforeAll(async () => {
  dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'dermaga-backups-')), 'backups');
  api = await startApi({ HOST_ID: `backup-${process.pid}`, PANEL_BACKUP_DIR: dir, PANEL_BACKUP_KEEP: '2' });
  token = await login(api);
  hostWorker = await startHostWorker(api.config);
  root = await createConnection(api.config.PANEL_MYSQL_URL);
});
afterAll(async () => {
  await root.end();
  await hostWorker.stop();
  await api.close();
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

const post = (p: string, body?: unknown) => api.request('POST', `/panel${p}`, { token, body });
async function backupNow() {
  const res = await post('/v1/backup/run');
  expect(res.status).toBe(202);
  const job = await waitForJob(api, token, res.body.job_id, 120_000);
  expect(job).toMatchObject({ status: 'succeeded', error: null });
  return job;
}
const listedSite = (res: { body: { sites: { domain: string; root_path: string }[] } }, domain: string) =>
  res.body.sites.find((s) => s.domain === domain)!;
const list = async () => (await api.request('GET', '/panel/v1/backup/list', { token })).body;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** A MariaDB account hash (mysql_native_password): unsalted SHA1 of SHA1, crackable offline. */
const ACCOUNT_HASH = /\*[0-9A-F]{40}/;
/** A workflow's history as Temporal stores it, each payload decoded from base64 to its JSON text. */
async function historyText(workflowId: string): Promise<string> {
  const history = await (await api.temporal.client()).workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(history, (key, v) =>
    key === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v,
  );
}

let n = 0;
const dbName = () => `bk_${process.pid}_${Date.now().toString(36)}_${n++}`;

describe('backup and restore', () => {
  it('brings back deleted sites with their files and a dropped database with its rows and its user', async () => {
    const domains = [uniqueDomain('bk'), uniqueDomain('bk')];
    const sites = [];
    for (const [i, domain] of domains.entries()) {
      const res = await post(
        '/v1/sites',
        i === 0 ? { domain } : { domain, runtime: 'php', php_allow_exec: true },
      );
      sites.push(await waitForSite(api, token, res.body.site.id, 'active'));
    }
    writeFileSync(path.join(sites[0].root_path, 'data.txt'), 'site zero data\n');
    mkdirSync(path.join(sites[0].root_path, 'assets'));
    writeFileSync(path.join(sites[0].root_path, 'assets/app.js'), 'console.log(1)\n');
    writeFileSync(path.join(sites[1].root_path, 'index.php'), '<?php echo "restored php ", 40 + 2;');

    const database = dbName();
    expect((await post('/v1/db/databases', { name: database })).status).toBe(201);
    const user = `u${process.pid}${n}`;
    expect(
      (
        await post('/v1/db/users', {
          database,
          username: user,
          password: 'Backup-Us3r-Passw0rd',
          host: '127.0.0.1',
        })
      ).status,
    ).toBe(201);
    const asUser = () =>
      createConnection({
        host: '127.0.0.1',
        port: Number(new URL(api.config.PANEL_MYSQL_URL).port),
        user,
        password: 'Backup-Us3r-Passw0rd',
        database,
      });
    const conn = await asUser();
    await conn.query('CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100))');
    await conn.query("INSERT INTO notes VALUES (1, 'first'), (2, 'second; with ''quotes''')");
    await conn.end();

    const job = await backupNow();
    await saveHistory(api, job.workflow_id, 'panel/run-backup');
    const { backups, directory } = await list();
    expect(directory).toBe(dir);
    expect(backups).toHaveLength(1);
    const [b] = backups;
    expect(path.basename(b.file)).toMatch(/^nusantara_state_\d{8}_\d{6}\.json$/);
    expect(b).toMatchObject({ sites: 2, complete: true });
    expect(b.databases).toBeGreaterThanOrEqual(1);
    expect(job.steps.map((s: { name: string }) => s.name)).toContain(`write ${path.basename(b.file)}`);
    // Root-only: the directory 0700, the state file 0600; every artifact's checksum as recorded.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(b.file).mode & 0o777).toBe(0o600);
    const body = JSON.parse(readFileSync(b.file, 'utf8'));
    expect(body.state.sites.map((s: { domain: string }) => s.domain).sort()).toEqual([...domains].sort());
    for (const a of body.artifacts) expect(sha256(path.join(dir, a.path))).toBe(a.sha256);
    const dumped = body.state.databases.find((d: { name: string }) => d.name === database);
    expect(dumped.users).toEqual([
      { username: user, host: '127.0.0.1', password_hash: expect.stringMatching(/^\*[0-9A-F]{40}$/) },
    ]);
    expect(JSON.stringify(body)).not.toContain('Backup-Us3r-Passw0rd');
    expect(readFileSync(b.file.replace(/\.json$/, '/SHA256SUMS'), 'utf8')).toContain(
      `sites/${domains[0]}.tar.gz`,
    );

    // Lose it all: the sites through the API, the database and its account behind the panel's back.
    for (const s of sites) {
      const del = await api.request('DELETE', `/panel/v1/sites/${s.id}`, { token });
      await waitForJob(api, token, del.body.job_id);
    }
    await root.query(`DROP DATABASE ${database}`);
    await root.query('DROP USER ?@?', [user, '127.0.0.1']);
    await api.db('panel.databases').where({ name: database }).delete();
    expect((await fetchSite(domains[0], '/data.txt')).status).toBe(404);

    const restore = await post('/v1/backup/restore', { file: b.file });
    expect(restore.status).toBe(202);
    const audited = await api
      .db('platform.audit_log')
      .where({ product: 'panel' })
      .whereIn('action', ['backup.run', 'backup.restore'])
      .orderBy('id')
      .select('action', 'target', 'outcome');
    expect(audited).toEqual(
      expect.arrayContaining([
        { action: 'backup.run', target: 'backup', outcome: 'success' },
        { action: 'backup.restore', target: `backup:${path.basename(b.file)}`, outcome: 'success' },
      ]),
    );
    const done = await waitForJob(api, token, restore.body.job_id, 180_000);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    await saveHistory(api, done.workflow_id, 'panel/restore-backup');
    const steps = done.steps.map((s: { name: string }) => s.name);
    expect(steps.slice(0, 2)).toEqual(['verify checksums', 'plan restore']);
    expect(steps).toEqual(
      expect.arrayContaining([
        `restore site ${domains[0]}`,
        `restore site ${domains[1]}`,
        `restore database ${database}`,
      ]),
    );

    expect(await fetchSite(domains[0], '/data.txt')).toEqual({ status: 200, body: 'site zero data\n' });
    expect((await fetchSite(domains[0], '/assets/app.js')).body).toBe('console.log(1)\n');
    expect((await fetchSite(domains[1], '/index.php')).body).toBe('restored php 42');
    const phpSite = listedSite(await api.request('GET', '/panel/v1/sites?limit=200', { token }), domains[1]);
    expect(statSync(path.join(phpSite.root_path, 'index.php')).uid).toBe(statSync(phpSite.root_path).uid); // the PHP site's own user owns its files again
    expect(phpSite).toMatchObject({ runtime: 'php', php_allow_exec: true }); // the site's PHP settings come back with it
    const listed = (await api.request('GET', '/panel/v1/sites?limit=200', { token })).body.sites.filter(
      (s: { domain: string }) => domains.includes(s.domain),
    );
    expect(listed.map((s: { status: string }) => s.status)).toEqual(['active', 'active']);
    // The account is back with its old password (from its hash) and still sees only its database.
    const again = await asUser();
    const [rows] = await again.query('SELECT id, body FROM notes ORDER BY id');
    expect(rows).toEqual([
      { id: 1, body: 'first' },
      { id: 2, body: "second; with 'quotes'" },
    ]);
    await again.end();
    const dbs = (await api.request('GET', '/panel/v1/db/databases?limit=200', { token })).body.databases;
    expect(dbs.find((d: { name: string }) => d.name === database)).toMatchObject({
      on_server: true,
      users: [expect.objectContaining({ username: user })],
    });

    // A second restore finds everything in place: all skipped, nothing changed.
    const twice = await waitForJob(
      api,
      token,
      (await post('/v1/backup/restore', { file: b.file })).body.job_id,
      60_000,
    );
    expect(twice.status).toBe('succeeded');
    expect(twice.steps.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining([
        `skipped site ${domains[0]}: it exists`,
        `skipped database ${database}: it exists`,
      ]),
    );
  });

  // A database the list shows `on_server: false` is brought back, and its account's hash never
  // reaches a workflow history (Temporal keeps those in clear).
  it('restores a database dropped on the server only, keeping account hashes out of histories', async () => {
    const database = dbName();
    expect((await post('/v1/db/databases', { name: database })).status).toBe(201);
    const user = `d${process.pid}${n++}`;
    const password = 'Dropped-Us3r-Passw0rd';
    expect(
      (await post('/v1/db/users', { database, username: user, password, host: '127.0.0.1' })).status,
    ).toBe(201);
    const asUser = () =>
      createConnection({
        host: '127.0.0.1',
        port: Number(new URL(api.config.PANEL_MYSQL_URL).port),
        user,
        password,
        database,
      });
    const conn = await asUser();
    await conn.query('CREATE TABLE kept (id INT PRIMARY KEY)');
    await conn.query('INSERT INTO kept VALUES (7)');
    await conn.end();

    const backup = await backupNow();

    // Dropped behind the panel's back: the panel keeps its rows, the server has neither.
    await root.query('DROP DATABASE ??', [database]);
    await root.query('DROP USER ?@?', [user, '127.0.0.1']);
    const listed = async () =>
      (await api.request('GET', '/panel/v1/db/databases?limit=200', { token })).body.databases.find(
        (d: { name: string }) => d.name === database,
      );
    expect((await listed()).on_server).toBe(false);

    const restore = await post('/v1/backup/restore', { file: (await list()).backups[0].file });
    expect(restore.status).toBe(202);
    const done = await waitForJob(api, token, restore.body.job_id, 180_000);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    const steps = done.steps.map((s: { name: string }) => s.name);
    expect(steps).toContain(`restore database ${database}`);
    expect(steps).not.toContain(`skipped database ${database}: it exists`);
    const again = await asUser();
    expect((await again.query('SELECT id FROM kept'))[0]).toEqual([{ id: 7 }]);
    await again.end();
    expect(await listed()).toMatchObject({
      on_server: true,
      users: [expect.objectContaining({ username: user, host: '127.0.0.1' })],
    });
    expect(await api.db('panel.databases').where({ name: database })).toHaveLength(1);

    for (const workflowId of [backup.workflow_id, done.workflow_id]) {
      const history = await historyText(workflowId);
      expect(history).toContain(user); // the payloads are read: the account is there by name
      expect(history).not.toMatch(ACCOUNT_HASH);
    }
  });

  it('refuses any file but a state file directly inside the backup directory, before any job', async () => {
    const jobs = async () =>
      Number((await api.db('platform.jobs').where({ type: 'backup.restore' }).count('* as n').first())?.n);
    const before = await jobs();
    mkdirSync(dir, { recursive: true });
    const outside = mkdtempSync(path.join(os.tmpdir(), 'not-backups-'));
    writeFileSync(path.join(outside, 'nusantara_state_20260101_000000.json'), '{}');
    symlinkSync(
      path.join(outside, 'nusantara_state_20260101_000000.json'),
      path.join(dir, 'nusantara_state_20260101_000001.json'),
    );
    for (const file of [
      `${dir}/../nusantara_state_20260101_000000.json`,
      `${dir}/./nusantara_state_20260101_000000.json`,
      path.join(outside, 'nusantara_state_20260101_000000.json'),
      '/etc/passwd',
      'nusantara_state_20260101_000000.json',
      `${dir}/backup.tar.gz`,
      `${dir}/sub/nusantara_state_20260101_000000.json`,
      path.join(dir, 'nusantara_state_20260101_000001.json'), // a symlink out of the directory
    ]) {
      const res = await post('/v1/backup/restore', { file });
      expect([file, res.status, res.body.error?.field]).toEqual([file, 400, 'file']);
    }
    expect(
      (await post('/v1/backup/restore', { file: path.join(dir, 'nusantara_state_20200101_000000.json') }))
        .status,
    ).toBe(404);
    expect(await jobs()).toBe(before);
    rmSync(path.join(dir, 'nusantara_state_20260101_000001.json'));
    rmSync(outside, { recursive: true, force: true });
  });

  it('fails a restore from a corrupted archive, naming it, and restores nothing', async () => {
    const domain = uniqueDomain('bkc');
    const created = await post('/v1/sites', { domain });
    const site = await waitForSite(api, token, created.body.site.id, 'active');
    await backupNow();
    const newest = (await list()).backups[0];
    const body = JSON.parse(readFileSync(newest.file, 'utf8'));
    const archive = body.artifacts.find((a: { name: string }) => a.name === domain);
    const file = path.join(dir, archive.path);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    chmodSync(file, 0o600);
    writeFileSync(file, bytes);
    const del = await api.request('DELETE', `/panel/v1/sites/${site.id}`, { token });
    await waitForJob(api, token, del.body.job_id);

    const res = await post('/v1/backup/restore', { file: newest.file });
    const job = await waitForJob(api, token, res.body.job_id, 60_000);
    expect(job.status).toBe('failed');
    expect(job.error).toContain(`${archive.path}: checksum mismatch; nothing was restored`);
    expect(job.steps.map((s: { name: string }) => s.name)).toEqual(['verify checksums']);
    expect(
      await api.db('panel.sites').where({ domain }).whereNot({ status: 'failed' }).first(),
    ).toBeUndefined();
    expect((await list()).backups.find((x: { file: string }) => x.file === newest.file).complete).toBe(true); // sizes match; only the checksum tells
  });

  it('keeps the newest PANEL_BACKUP_KEEP backups, listed newest first', async () => {
    await backupNow();
    await backupNow();
    const { backups } = await list();
    expect(backups).toHaveLength(2);
    expect(backups[0].created_at > backups[1].created_at).toBe(true);
  });

  it('is also run by a daily Temporal Schedule', async () => {
    const handle = (await api.temporal.client()).schedule.getHandle('panel-backup');
    const described = await handle.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'runBackup' });
    const since = new Date();
    await handle.trigger();
    for (let i = 0; i < 600; i++) {
      const job = await api
        .db('platform.jobs')
        .where({ type: 'backup.run', actor: 'schedule' })
        .where('created_at', '>=', since)
        .first();
      if (job) {
        expect((await waitForJob(api, token, job.id, 120_000)).status).toBe('succeeded');
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the scheduled backup created no job');
  });
});
