import {
  ApplicationFailure,
  executeChild,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { BackupHostActivities } from '../../activities/panel/backup-host';
import type { BackupRecordActivities } from '../../activities/panel/backup-records';
import type { JobActivities } from '../../activities/platform/jobs';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { childSearchAttributes, controlActivity, hostActivity } from '../platform/options';
import { provisionSite } from './provision-site';

const records = proxyLocalActivities<BackupRecordActivities>(controlActivity);
const jobs = proxyLocalActivities<JobActivities>(controlActivity);

/** Archiving and loading take as long as the data is big: up to an hour (heartbeating all along, as every host activity). */
const backupHost = (taskQueue: string) =>
  proxyActivities<BackupHostActivities>({ ...hostActivity(taskQueue), startToCloseTimeout: '1 hour' });

export interface RunBackupInput {
  /** The API's job; absent when the Schedule starts the run (it makes its own). */
  jobId?: string;
  actor: string;
  /** How many backups to keep, newest first. */
  keep: number;
  /** The panel host whose sites are backed up (their files live there). */
  hostId: string;
  /** The panel host's queue: where the sites' files and the dumps are. */
  hostQueue: string;
}

/** `YYYYMMDD_HHMMSS` in UTC, from the workflow's (deterministic) clock. */
const stampOf = (ms: number) =>
  new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);

/** A backup: the panel's records, every active site's files and every database's dump, then the oldest beyond `keep` go. */
export async function runBackup(input: RunBackupInput): Promise<{ file: string; bytes: number }> {
  const jobId = await records.backupJob({
    jobId: input.jobId ?? null,
    workflowId: workflowInfo().workflowId,
    actor: input.actor,
    hostId: input.hostId,
  });
  const host = backupHost(input.hostQueue);
  const saga = new JobSaga(jobId);
  try {
    const state = await saga.step('read panel records', () =>
      records.snapshotPanelState({ hostId: input.hostId }),
    );
    const accounts = state.databases.flatMap((d) => d.users);
    if (accounts.length) {
      const hashes = await saga.step('read database accounts', () =>
        host.databaseUserHashes({ users: accounts }),
      );
      accounts.forEach((u, i) => (u.password_hash = hashes[i]));
    }
    // Names have one-second resolution: start on a fresh second so two runs never share a name.
    await sleep(1000 - (Date.now() % 1000));
    const stamp = stampOf(Date.now());
    const written = await saga.step(`write nusantara_state_${stamp}.json`, () =>
      host.writeBackup({ stamp, state }),
    );
    await saga.step(`keep the newest ${input.keep}`, () => host.pruneBackups({ keep: input.keep }));
    await records.finishBackupJob({ jobId });
    return { file: written.file, bytes: written.bytes };
  } catch (err) {
    await saga.compensate();
    const error = `backup failed: ${causeMessage(err)}`;
    await records.finishBackupJob({ jobId, error });
    throw ApplicationFailure.create({
      message: error,
      type: 'backup_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
}

export interface RestoreBackupInput {
  jobId: string;
  file: string;
  actor: string;
  hostQueue: string;
}

/**
 * A restore: every checksum first (a corrupt backup changes nothing), then the sites the panel no
 * longer has (provisioned again, then their files unpacked) and the databases the MariaDB server no
 * longer has (created, loaded, accounts back from their hashes). What exists is left alone; the job lists it.
 */
export async function restoreBackup(
  input: RestoreBackupInput,
): Promise<{ restored: string[]; skipped: string[] }> {
  const host = backupHost(input.hostQueue);
  const saga = new JobSaga(input.jobId);
  const restored: string[] = [];
  try {
    const backup = await saga.step('verify checksums', () => host.verifyBackup({ file: input.file }));
    const plan = await saga.step('plan restore', async () => {
      const onServer = await host.listServerDatabases();
      return records.planRestore({ jobId: input.jobId, state: backup.state, actor: input.actor, onServer });
    });
    const artifact = (kind: 'site' | 'database', name: string) =>
      backup.artifacts.find((a) => a.kind === kind && a.name === name)?.path;
    for (const site of plan.sites) {
      await saga.step(`restore site ${site.input.domain}`, async () => {
        await executeChild(provisionSite, {
          workflowId: site.workflowId,
          args: [site.input],
          typedSearchAttributes: childSearchAttributes(site.input.siteId),
        });
        const archive = artifact('site', site.input.domain);
        if (archive) await host.restoreSiteFiles({ artifact: archive, site: site.input });
      });
      restored.push(site.input.domain);
    }
    for (const database of plan.databases) {
      const dump = artifact('database', database.name);
      if (!dump) continue;
      const result = await saga.step(`restore database ${database.name}`, async () => {
        const r = await host.restoreDatabase({ artifact: dump, database });
        await records.recordRestoredDatabase({ database, restoredUsers: r.restored });
        return r;
      });
      restored.push(database.name);
      for (const note of result.notRestored)
        await jobs.recordJobStep({ jobId: input.jobId, step: `database user not restored: ${note}` });
    }
    for (const s of plan.skipped)
      await jobs.recordJobStep({ jobId: input.jobId, step: `skipped ${s}: it exists` });
    await records.finishBackupJob({ jobId: input.jobId });
    return { restored, skipped: plan.skipped };
  } catch (err) {
    await saga.compensate();
    const error = `restore failed: ${causeMessage(err)}${restored.length ? ` (restored before the failure: ${restored.join(', ')})` : ''}`;
    await records.finishBackupJob({ jobId: input.jobId, error });
    throw ApplicationFailure.create({
      message: error,
      type: 'restore_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
}
