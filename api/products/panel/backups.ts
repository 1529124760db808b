import type { Knex } from 'knex';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { backupFileInside, STATE_FILE } from '../../../activities/panel/backup-host';
import type { Config } from '../../../core/config';
import { Conflict, Invalid, NotFound } from '../../../core/errors';
import { createJob, Job, recordJobStart, startJobWorkflow, type JobWorkflowStart } from '../../../core/jobs';
import { newId } from '../../../core/ids';
import { CONTROL_QUEUE, hostQueue, type Temporal } from '../../../core/temporal';
import type { BackupFile } from '../../../types/panel';
import { writeAudit } from '../../http/audit';
import type { Caller } from './auth';

/**
 * Takes this host's backup lock until `trx` ends and returns the backup or restore that is queued
 * or running on it, if any. Whatever must not overlap a backup (starting another, dropping a
 * database) checks here in its own transaction, so the check and its change are one step.
 */
export async function runningBackup(trx: Knex.Transaction, hostId: string): Promise<Job | undefined> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`panel-backup:${hostId}`]);
  return Job.query(trx)
    .whereIn('type', ['backup.run', 'backup.restore'])
    .where({ target_id: hostId })
    .whereIn('status', ['queued', 'running'])
    .first();
}

/** What a running backup job is called in a refusal: "a backup" or "a restore". */
export const backupKind = (job: Job) => (job.type === 'backup.run' ? 'a backup' : 'a restore');

/** Backups: the files in the backup directory are the record; runs and restores are workflows with jobs. */
export function createBackupService(deps: { db: Knex; config: Config; temporal: Temporal }) {
  const { db, config, temporal } = deps;
  const dir = path.resolve(config.PANEL_BACKUP_DIR);

  /**
   * One backup or restore at a time on this host (a second one would race it over the same files).
   * The job's target is the host whose backups it acts on.
   */
  async function startOne(
    caller: Caller,
    ip: string,
    type: 'backup.run' | 'backup.restore',
    detail: Record<string, unknown>,
    start: (jobId: string) => JobWorkflowStart,
  ) {
    const job = await db.transaction(async (trx) => {
      const running = await runningBackup(trx, config.HOST_ID);
      if (running) {
        const what = `${backupKind(running)} is already running (job ${running.id})`;
        throw new Conflict(`${what}; try again when it has finished`);
      }
      const job = await createJob(trx, {
        product: 'panel',
        type,
        target: { type: 'host', id: config.HOST_ID },
        workflowId: `panel-${type.replace('.', '-')}-${newId('run')}`,
        actor: caller.user.username,
      });
      await recordJobStart(trx, job, start(job.id));
      await writeAudit(trx, 'panel', {
        actor: caller.user.username,
        action: type,
        target: detail.file ? `backup:${path.basename(String(detail.file))}` : 'backup',
        ip,
        outcome: 'success',
        detail,
      });
      return job;
    });
    await startJobWorkflow(db, temporal, job);
    return { job_id: job.id };
  }

  return {
    run: (caller: Caller, ip: string) =>
      startOne(caller, ip, 'backup.run', {}, (jobId) => ({
        workflowType: 'runBackup',
        taskQueue: CONTROL_QUEUE,
        args: [
          {
            jobId,
            actor: caller.user.username,
            keep: config.PANEL_BACKUP_KEEP,
            hostId: config.HOST_ID,
            hostQueue: hostQueue(config.HOST_ID),
          },
        ],
      })),

    /**
     * Only `nusantara_state_YYYYMMDD_HHMMSS.json` directly inside the backup directory, spelled
     * plainly and not a symlink to elsewhere: anything else is a 400 naming `file`, before any job.
     */
    async restore(caller: Caller, input: { file: string }, ip: string) {
      const shapeOk =
        path.isAbsolute(input.file) &&
        path.normalize(input.file) === input.file &&
        path.dirname(input.file) === dir &&
        STATE_FILE.test(path.basename(input.file));
      if (!shapeOk)
        throw new Invalid(
          `file: must be a nusantara_state_YYYYMMDD_HHMMSS.json file directly inside ${dir}`,
          'file',
        );
      if (!(await stat(input.file).catch(() => null)))
        throw new NotFound(`backup ${path.basename(input.file)}`);
      const real = await backupFileInside(dir, input.file);
      if (!real)
        throw new Invalid(`file: must be a regular file inside ${dir}, not a link to elsewhere`, 'file');
      return startOne(caller, ip, 'backup.restore', { file: input.file }, (jobId) => ({
        workflowType: 'restoreBackup',
        taskQueue: CONTROL_QUEUE,
        args: [
          { jobId, file: input.file, actor: caller.user.username, hostQueue: hostQueue(config.HOST_ID) },
        ],
      }));
    },

    /** The backups in the directory, newest first; a state file that cannot be read is listed as incomplete. */
    async list() {
      const names = (await readdir(dir).catch(() => [] as string[]))
        .filter((f) => STATE_FILE.test(f))
        .sort()
        .reverse();
      const backups = await Promise.all(
        names.map(async (name) => {
          const file = path.join(dir, name);
          const [, d, t] = STATE_FILE.exec(name) as RegExpExecArray;
          const createdAt = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}Z`;
          const body = await readFile(file, 'utf8').then(
            (s) => JSON.parse(s) as BackupFile,
            () => null,
          );
          const sizes = await Promise.all(
            (body?.artifacts ?? []).map((a) =>
              stat(path.resolve(dir, a.path)).then(
                (s) => s.size === a.bytes,
                () => false,
              ),
            ),
          );
          const own = (await stat(file).catch(() => null))?.size ?? 0;
          return {
            file,
            created_at: createdAt,
            bytes: own + (body?.artifacts ?? []).reduce((n, a) => n + a.bytes, 0),
            sites: body?.state.sites.length ?? 0,
            databases: body?.state.databases.length ?? 0,
            complete: body !== null && sizes.every(Boolean),
          };
        }),
      );
      return { backups, directory: dir };
    },
  };
}
export type BackupService = ReturnType<typeof createBackupService>;
