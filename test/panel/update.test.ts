import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBuildInfo } from '../../core/build-info';
import { login, startApi, type TestApi } from '../support/api';
import { repoRoot } from '../support/processes';
import { createPanelUser } from '../support/users';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const head = git(repoRoot, 'rev-parse', 'HEAD');
const hasSystemd = existsSync('/run/systemd/system');

/** A copy of this very repository, so its branch head is the commit that runs. */
function cloneOfThisRepo(): { dir: string; branch: string } {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'upstream-')), 'repo');
  execFileSync('git', ['clone', '--quiet', repoRoot, dir]);
  return { dir, branch: git(dir, 'rev-parse', '--abbrev-ref', 'HEAD') };
}

async function withApi(env: Record<string, string>, fn: (api: TestApi, token: string) => Promise<void>) {
  const api = await startApi(env);
  try {
    await fn(api, await login(api));
  } finally {
    await api.close();
  }
}

describe('GET /v1/panel/version', () => {
  it('names the version, commit and build time of what runs (from source: no build time)', () =>
    withApi({}, async (api, token) => {
      const res = await api.request('GET', '/panel/v1/panel/version', { token });
      expect(res.status).toBe(200);
      const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
      expect(res.body).toEqual({ version: pkg.version, commit: head, build_time: null });
    }));

  it('reads a stamped build when there is one', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'stamp-')), 'build-info.json');
    writeFileSync(
      file,
      JSON.stringify({ version: '9.9.9', commit: 'abc123', build_time: '2026-11-25T00:00:00.000Z' }),
    );
    expect(readBuildInfo(file)).toEqual({
      version: '9.9.9',
      commit: 'abc123',
      build_time: '2026-11-25T00:00:00.000Z',
      source: 'stamped',
    });
  });
});

describe('GET /v1/panel/update/check', () => {
  it('is up_to_date against a branch at the running commit, and update_available once it moves', async () => {
    const upstream = cloneOfThisRepo();
    await withApi(
      { PANEL_UPDATE_REPO_URL: upstream.dir, PANEL_UPDATE_BRANCH: upstream.branch },
      async (api, token) => {
        const same = await api.request('GET', '/panel/v1/panel/update/check', { token });
        expect(same.status).toBe(200);
        expect(same.body).toMatchObject({
          status: 'up_to_date',
          current_commit: head,
          remote_commit: head,
          repo_url: upstream.dir,
          branch: upstream.branch,
        });

        git(
          upstream.dir,
          '-c',
          'user.email=t@example.test',
          '-c',
          'user.name=t',
          'commit',
          '--allow-empty',
          '--quiet',
          '-m',
          'a newer release',
        );
        const moved = await api.request('GET', '/panel/v1/panel/update/check', { token });
        expect(moved.body).toMatchObject({
          status: 'update_available',
          current_commit: head,
          remote_commit: git(upstream.dir, 'rev-parse', 'HEAD'),
        });
      },
    );
  });

  it('is unknown, with the reason, when the repository or branch cannot be read', async () => {
    const upstream = cloneOfThisRepo();
    await withApi(
      { PANEL_UPDATE_REPO_URL: upstream.dir, PANEL_UPDATE_BRANCH: 'no-such-branch' },
      async (api, token) => {
        const res = await api.request('GET', '/panel/v1/panel/update/check', { token });
        expect(res.body).toMatchObject({
          status: 'unknown',
          remote_commit: null,
          reason: `branch no-such-branch not found in ${upstream.dir}`,
        });
      },
    );
    await withApi({ PANEL_UPDATE_REPO_URL: '/nonexistent/repo.git' }, async (api, token) => {
      const res = await api.request('GET', '/panel/v1/panel/update/check', { token });
      expect(res.body.status).toBe('unknown');
      expect(res.body.reason).toMatch(/^git ls-remote failed: .*/);
    });
  });
});

describe('POST /v1/panel/update and GET /v1/panel/update/status', () => {
  it('without systemd: refuses the update clearly, changes nothing, and the status says why', () =>
    withApi({}, async (api, token) => {
      if (hasSystemd) return; // a systemd host starts the real unit; this machine has none
      const res = await api.request('POST', '/panel/v1/panel/update', { token });
      expect(res.status).toBe(503);
      expect(res.body.error).toEqual({
        code: 'systemd_unavailable',
        message:
          'self-update runs as the transient systemd unit nusantara-panel-updater.service, but systemd is not running on this host; nothing was changed',
      });
      const audit = await api
        .db('platform.audit_log')
        .where({ action: 'panel.update' })
        .orderBy('id', 'desc')
        .first();
      expect(audit).toMatchObject({
        actor: 'admin',
        outcome: 'failure',
        target: 'nusantara-panel-updater.service',
      });

      const status = await api.request('GET', '/panel/v1/panel/update/status', { token });
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        unit: 'nusantara-panel-updater.service',
        active_state: 'unknown',
        logs: [],
        reason: 'systemd is not running on this host, so there is no updater unit',
      });
    }));

  it('refuses a viewer on every panel update route with 403', () =>
    withApi({}, async (api) => {
      const viewer = await createPanelUser(api, 'viewer');
      const token = await login(api, viewer.username, viewer.password);
      for (const [method, p] of [
        ['GET', '/v1/panel/version'],
        ['GET', '/v1/panel/update/check'],
        ['POST', '/v1/panel/update'],
        ['GET', '/v1/panel/update/status'],
      ]) {
        expect([p, (await api.request(method, `/panel${p}`, { token })).status]).toEqual([p, 403]);
      }
    }));
});
