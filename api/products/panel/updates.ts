import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { readBuildInfo } from '../../../core/build-info';
import { AppError, Conflict } from '../../../core/errors';
import { run } from '../../../adapters/exec';
import * as systemd from '../../../adapters/systemd';
import { writeAudit } from '../../http/audit';
import type { Caller } from './auth';

/** The transient unit panel.md names: it outlives the panel service it restarts. */
export const UPDATER_UNIT = 'nusantara-panel-updater.service';

// Fetches the install script and runs it; the URLs arrive as arguments ($1..$3), never spliced into the script.
const UPDATER_SCRIPT =
  'set -euo pipefail; f=$(mktemp); curl -fsSL "$1" -o "$f"; exec bash "$f" --repo "$2" --branch "$3"';

const noSystemd = () =>
  new AppError(
    'systemd_unavailable',
    503,
    `self-update runs as the transient systemd unit ${UPDATER_UNIT}, but systemd is not running on this host; nothing was changed`,
  );

/** The running build, the branch it follows, and the updater unit that moves it forward. */
export function createUpdateService({ db, config }: { db: Knex; config: Config }) {
  const build = readBuildInfo();
  const target = { repo_url: config.PANEL_UPDATE_REPO_URL, branch: config.PANEL_UPDATE_BRANCH };

  /** The branch head as `git ls-remote` sees it, or the reason it could not be read. */
  async function remoteHead(): Promise<{ commit: string } | { reason: string }> {
    const r = await run(
      'git',
      ['ls-remote', '--heads', '--', target.repo_url, `refs/heads/${target.branch}`],
      { timeoutMs: 15_000 },
    ).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
    if (r.code !== 0)
      return { reason: `git ls-remote failed: ${r.stderr.trim().split('\n').pop() || `exit ${r.code}`}` };
    const commit = r.stdout.split(/\s/)[0];
    return commit ? { commit } : { reason: `branch ${target.branch} not found in ${target.repo_url}` };
  }

  return {
    version: () => ({ version: build.version, commit: build.commit, build_time: build.build_time }),

    async check() {
      const base = { ...target, current_commit: build.commit, checked_at: new Date().toISOString() };
      const remote = await remoteHead();
      if ('reason' in remote)
        return { ...base, status: 'unknown' as const, remote_commit: null, reason: remote.reason };
      if (!build.commit)
        return {
          ...base,
          status: 'unknown' as const,
          remote_commit: remote.commit,
          reason: 'the running commit is unknown (no stamped build and not a git checkout)',
        };
      return {
        ...base,
        status: remote.commit === build.commit ? ('up_to_date' as const) : ('update_available' as const),
        remote_commit: remote.commit,
      };
    },

    /** Starts the updater unit; refuses clearly, changing nothing, where systemd is not init or an update runs. */
    async start(caller: Caller, ip: string) {
      const audit = (outcome: 'success' | 'failure', detail: Record<string, unknown>) =>
        writeAudit(db, 'panel', {
          actor: caller.user.username,
          action: 'panel.update',
          target: UPDATER_UNIT,
          ip,
          outcome,
          detail,
        });
      if (!systemd.systemdRuns()) {
        await audit('failure', { reason: 'systemd is not running' });
        throw noSystemd();
      }
      if (['active', 'activating', 'reloading'].includes(await systemd.unitState(UPDATER_UNIT)))
        throw new Conflict('an update is already running');
      const startedAt = new Date().toISOString();
      const r = await run('systemd-run', [
        `--unit=${UPDATER_UNIT}`,
        '--description=Nusantara Panel updater',
        '--collect',
        '/bin/bash',
        '-c',
        UPDATER_SCRIPT,
        'updater',
        config.updateScriptUrl,
        target.repo_url,
        target.branch,
      ]);
      if (r.code !== 0) {
        await audit('failure', { reason: r.stderr.trim() });
        throw new AppError('update_failed', 500, `systemd-run failed: ${r.stderr.trim()}`);
      }
      await audit('success', { ...target });
      return { unit: UPDATER_UNIT, ...target, script_url: config.updateScriptUrl, started_at: startedAt };
    },

    /** The updater unit's state and its newest journal lines. */
    async status() {
      if (!systemd.systemdRuns()) {
        return {
          unit: UPDATER_UNIT,
          active_state: 'unknown',
          sub_state: null,
          result: null,
          started_at: null,
          finished_at: null,
          logs: [],
          reason: 'systemd is not running on this host, so there is no updater unit',
        };
      }
      const p = await systemd.unitProperties(UPDATER_UNIT, [
        'ActiveState',
        'SubState',
        'Result',
        'ExecMainStartTimestamp',
        'ExecMainExitTimestamp',
      ]);
      return {
        unit: UPDATER_UNIT,
        active_state: p.ActiveState || 'unknown',
        sub_state: p.SubState || null,
        result: p.Result || null,
        started_at: p.ExecMainStartTimestamp || null,
        finished_at: p.ExecMainExitTimestamp || null,
        logs: await systemd.journalTail(UPDATER_UNIT, 50),
      };
    },
  };
}
export type UpdateService = ReturnType<typeof createUpdateService>;
