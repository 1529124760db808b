import type { Knex } from 'knex';
import { createJob, finishJob, Job } from '../../core/jobs';
import { newId } from '../../core/ids';
import { hostQueue } from '../../core/temporal';
import type { PanelState, SiteWorkflowInput } from '../../types/panel';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The database side of backup and restore. */
export function createBackupRecordActivities({ db }: { db: Knex }) {
  return {
    /** The job of this run: the API's, or (a scheduled run) one made here, found again on retry by workflow id. */
    async backupJob(input: {
      jobId: string | null;
      workflowId: string;
      actor: string;
      hostId: string;
    }): Promise<string> {
      if (input.jobId) return input.jobId;
      return db.transaction(async (trx) => {
        const existing = await Job.query(trx).findOne({ workflow_id: input.workflowId });
        if (existing) return existing.id;
        return (
          await createJob(trx, {
            product: 'panel',
            type: 'backup.run',
            target: { type: 'host', id: input.hostId },
            workflowId: input.workflowId,
            actor: input.actor,
          })
        ).id;
      });
    },

    /** What a backup holds of the panel's own records: this host's active sites, databases and their users, certificates' metadata. */
    async snapshotPanelState({ hostId }: { hostId: string }): Promise<PanelState> {
      return db.transaction(
        async (trx) => {
          const sites = await trx('panel.sites')
            .where({ status: 'active', host_id: hostId })
            .orderBy('created_at');
          const databases = await trx('panel.databases').orderBy('created_at');
          const users = await trx('panel.database_users').orderBy('created_at');
          const certs = await trx('panel.certificates')
            .whereNotNull('cert_dir')
            .whereIn(
              'site_id',
              sites.map((s) => s.id),
            );
          return {
            sites: sites.map((s) => ({
              id: s.id,
              domain: s.domain,
              root_path: s.root_path,
              runtime: s.runtime,
              proxy_port: s.proxy_port,
              php_allow_exec: s.php_allow_exec,
              host_id: s.host_id,
              created_at: iso(s.created_at) as string,
            })),
            databases: databases.map((d) => ({
              id: d.id,
              name: d.name,
              users: users
                .filter((u) => u.database_id === d.id)
                .map((u) => ({ username: u.username, host: u.host, password_hash: null })),
            })),
            certificates: certs.map((c) => ({
              site_id: c.site_id,
              domain: c.domain,
              email: c.email,
              status: c.status,
              serial: c.serial,
              issuer: c.issuer,
              not_before: iso(c.not_before),
              not_after: iso(c.not_after),
            })),
          };
        },
        { isolationLevel: 'repeatable read' }, // one consistent picture across the three tables
      );
    },

    /**
     * Decides what a restore brings back: sites whose domain the panel no longer has (recreated as
     * `provisioning`, each with its provisioning job) and databases missing on the MariaDB server
     * (`onServer`), whether or not the panel still lists them. What still exists is skipped and
     * reported. Retrying finds the rows it made (by the restore's job).
     */
    async planRestore(input: { jobId: string; state: PanelState; actor: string; onServer: string[] }) {
      const { jobId, state, actor, onServer } = input;
      return db.transaction(async (trx) => {
        const sites: { input: SiteWorkflowInput; workflowId: string }[] = [];
        const skipped: string[] = [];
        for (const s of state.sites) {
          const existing = await trx('panel.sites')
            .where({ domain: s.domain })
            .whereNot({ status: 'failed' })
            .first();
          const planned =
            existing &&
            (await trx('platform.jobs')
              .where({ id: existing.job_id, target_id: existing.id })
              .where('workflow_id', 'like', `panel-restore-${jobId}-%`)
              .first());
          if (existing && !planned) {
            skipped.push(`site ${s.domain}`);
            continue;
          }
          const siteId = existing?.id ?? newId('site');
          const workflowId = `panel-restore-${jobId}-site-${siteId}`;
          if (!existing) {
            const job = await createJob(trx, {
              product: 'panel',
              type: 'site.provision',
              target: { type: 'site', id: siteId },
              workflowId,
              actor,
            });
            await trx('panel.sites').insert({
              id: siteId,
              domain: s.domain,
              root_path: s.root_path,
              runtime: s.runtime,
              proxy_port: s.proxy_port,
              php_allow_exec: s.php_allow_exec ?? false,
              status: 'provisioning',
              host_id: s.host_id,
              job_id: job.id,
            });
          }
          const row = await trx('panel.sites').where({ id: siteId }).first();
          sites.push({
            workflowId,
            input: {
              siteId,
              jobId: row.job_id,
              domain: s.domain,
              rootPath: s.root_path,
              runtime: s.runtime,
              proxyPort: s.proxy_port,
              phpAllowExec: s.php_allow_exec ?? false,
              hostQueue: hostQueue(s.host_id),
            },
          });
        }
        const databases: PanelState['databases'] = [];
        for (const d of state.databases) {
          // Listed by the panel and present on the server: nothing to do. Listed but dropped on the
          // server: restored under its row. On the server but not the panel's: restoreDatabase refuses it.
          const listed = await trx('panel.databases').where({ name: d.name }).first();
          if (listed && onServer.includes(d.name)) skipped.push(`database ${d.name}`);
          else databases.push(d);
        }
        return { sites, databases, skipped };
      });
    },

    /**
     * A database the restore brought back onto the server has its panel rows again: the ones the
     * panel kept (it was dropped only on the server), else new ones.
     */
    async recordRestoredDatabase({
      database,
      restoredUsers,
    }: {
      database: PanelState['databases'][number];
      restoredUsers: { username: string; host: string }[];
    }): Promise<void> {
      await db.transaction(async (trx) => {
        const [{ id }] = await trx('panel.databases')
          .insert({ id: newId('db'), name: database.name })
          .onConflict('name')
          .merge(['name']) // a no-op update, so the kept row's id is returned
          .returning('id');
        if (restoredUsers.length) {
          const rows = restoredUsers.map((u) => ({
            id: newId('dbu'),
            database_id: id,
            username: u.username,
            host: u.host,
          }));
          await trx('panel.database_users').insert(rows).onConflict(['username', 'host']).ignore();
        }
      });
    },

    async finishBackupJob({ jobId, error }: { jobId: string; error?: string }): Promise<void> {
      await db.transaction((trx) =>
        finishJob(trx, jobId, error ? { status: 'failed', error } : { status: 'succeeded' }),
      );
    },
  };
}
export type BackupRecordActivities = ReturnType<typeof createBackupRecordActivities>;
