import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createMariadb } from '../../adapters/mariadb';
import { createMariadbCli } from '../../adapters/mariadb-cli';
import { createBackupHostActivities } from '../../activities/panel/backup-host';
import { loadConfig } from '../../core/config';
import { createSecretBox } from '../../core/secret-box';
import type { BackupFile, PanelState } from '../../types/panel';

// The backup activity on the suite's real MariaDB, with a state that names a site whose files and
// a database that were deleted after the state was read (as another request may do meanwhile).
const config = loadConfig();
const root = mkdtempSync(path.join(os.tmpdir(), 'dermaga-backup-meanwhile-'));
const mariadb = createMariadb(config.PANEL_MYSQL_URL);
const kept = `kept_${process.pid}_${Date.now().toString(36)}`;
afterAll(async () => {
  await mariadb.dropDatabase(kept);
  rmSync(root, { recursive: true, force: true });
});

describe('a backup of things deleted while it runs', () => {
  it('leaves them out (state and artifacts) and keeps everything else', async () => {
    const siteRoot = path.join(root, 'www', 'kept.test');
    mkdirSync(siteRoot, { recursive: true });
    writeFileSync(path.join(siteRoot, 'index.html'), 'kept');
    await mariadb.createDatabase(kept);
    const site = (id: string, domain: string, rootPath: string) => ({
      id,
      domain,
      root_path: rootPath,
      runtime: 'static' as const,
      proxy_port: null,
      host_id: 'local',
      created_at: new Date().toISOString(),
    });
    const state: PanelState = {
      sites: [
        site('site_kept', 'kept.test', siteRoot),
        site('site_gone', 'gone.test', path.join(root, 'www', 'gone.test')),
      ],
      databases: [
        { id: 'db_kept', name: kept, users: [] },
        { id: 'db_gone', name: `gone_${process.pid}`, users: [] },
      ],
      certificates: [
        {
          site_id: 'site_gone',
          domain: 'gone.test',
          email: 'a@b.test',
          status: 'active',
          serial: null,
          issuer: null,
          not_before: null,
          not_after: null,
        },
      ],
    };
    const activities = createBackupHostActivities({
      dir: path.join(root, 'backups'),
      mariadb,
      mariadbCli: createMariadbCli(config.PANEL_MYSQL_URL),
      secrets: createSecretBox(config.DERMAGA_SECRET_KEY),
    });
    const { file } = (await new MockActivityEnvironment().run(activities.writeBackup, {
      stamp: '20261125T000000Z',
      state,
    })) as { file: string };
    const body = JSON.parse(readFileSync(file, 'utf8')) as BackupFile;
    expect(body.state.sites.map((s) => s.id)).toEqual(['site_kept']);
    expect(body.state.databases.map((d) => d.id)).toEqual(['db_kept']);
    expect(body.state.certificates).toEqual([]);
    expect(body.artifacts.map((a) => [a.kind, a.name])).toEqual([
      ['site', 'kept.test'],
      ['database', kept],
    ]);
  });
});
