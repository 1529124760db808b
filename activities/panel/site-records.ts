import type { Knex } from 'knex';
import { finishJob } from '../../core/jobs';

/** The database side of the site workflows: each updates the site and ends its job in one transaction. */
export function createSiteRecordActivities({ db }: { db: Knex }) {
  const sites = (trx: Knex.Transaction) => trx('panel.sites');

  return {
    async markSiteActive({ siteId, jobId }: { siteId: string; jobId: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await sites(trx)
          .where({ id: siteId })
          .update({ status: 'active', error: null, updated_at: trx.fn.now() });
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },

    async markSiteFailed({
      siteId,
      jobId,
      error,
    }: {
      siteId: string;
      jobId: string;
      error: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await sites(trx).where({ id: siteId }).update({ status: 'failed', error, updated_at: trx.fn.now() });
        await finishJob(trx, jobId, { status: 'failed', error });
      });
    },

    /** The site is gone: its row goes, its jobs and audit rows stay. */
    async removeSiteRecord({ siteId, jobId }: { siteId: string; jobId: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await sites(trx).where({ id: siteId }).delete();
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },
  };
}
export type SiteRecordActivities = ReturnType<typeof createSiteRecordActivities>;
