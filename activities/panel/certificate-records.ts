import type { Knex } from 'knex';
import { createJob, finishJob, Job } from '../../core/jobs';
import { hostQueue } from '../../core/temporal';
import type { CertificateWorkflowInput } from '../../types/panel';
import type { CertificateInfo } from './ssl-host';

/** One certificate a renewal claimed, and the workflow id its issueCertificate child runs under. */
export interface Renewal {
  workflowId: string;
  input: CertificateWorkflowInput;
}

/** The joined row a renewal claim selects: certificate, site and job columns. */
interface RenewalRow {
  id: string;
  workflow_id: string;
  job_id: string;
  site_id: string;
  domain: string;
  email: string;
  root_path: string;
  runtime: CertificateWorkflowInput['runtime'];
  proxy_port: number | null;
  cert_dir: string | null;
  host_id: string;
}

const renewal = (c: RenewalRow): Renewal => ({
  workflowId: c.workflow_id,
  input: {
    certId: c.id,
    jobId: c.job_id,
    siteId: c.site_id,
    domain: c.domain,
    email: c.email,
    rootPath: c.root_path,
    runtime: c.runtime,
    proxyPort: c.proxy_port,
    previousCertDir: c.cert_dir,
    hostQueue: hostQueue(c.host_id),
  },
});

/** The database side of the certificate workflows: each change and its job's end in one transaction. */
export function createCertificateRecordActivities({
  db,
  renewBeforeDays,
}: {
  db: Knex;
  renewBeforeDays: number;
}) {
  const certificates = (trx: Knex | Knex.Transaction) => trx('panel.certificates');

  return {
    async markCertificateActive({
      certId,
      jobId,
      certificate: c,
    }: {
      certId: string;
      jobId: string;
      certificate: CertificateInfo;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await certificates(trx).where({ id: certId }).update({
          status: 'active',
          cert_dir: c.certDir,
          serial: c.serial,
          subject: c.subject,
          issuer: c.issuer,
          not_before: c.notBefore,
          not_after: c.notAfter,
          error: null,
          updated_at: trx.fn.now(),
        });
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },

    /** The order failed: the row says why and keeps describing the certificate still in use, if any. */
    async markCertificateFailed({
      certId,
      jobId,
      error,
    }: {
      certId: string;
      jobId: string;
      error: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await certificates(trx)
          .where({ id: certId })
          .update({ status: 'failed', error, updated_at: trx.fn.now() });
        await finishJob(trx, jobId, { status: 'failed', error });
      });
    },

    /**
     * Claims the installed certificates due for renewal (expiring within the configured days, or
     * all) whose site is active and which no other order holds: each becomes `issuing` with a job
     * of its own, whose workflow id derives from the renewal's. A renewal started by the Schedule
     * gets its job row here. A retry after a commit whose answer was lost claims nothing new and
     * returns the same claims, found by those derived ids.
     */
    async claimRenewals(input: {
      jobId: string | null;
      workflowId: string;
      all: boolean;
      actor: string;
    }): Promise<{ jobId: string; renewals: Renewal[] }> {
      return db.transaction(async (trx) => {
        const childPrefix = `${input.workflowId}-cert-`;
        let jobId = input.jobId ?? (await Job.query(trx).findOne({ workflow_id: input.workflowId }))?.id;
        if (!jobId) {
          jobId = (
            await createJob(trx, {
              product: 'panel',
              type: 'ssl.renew',
              target: { type: 'certificates', id: 'due' },
              workflowId: input.workflowId,
              actor: input.actor,
            })
          ).id;
        }
        const base = () =>
          certificates(trx)
            .join('panel.sites as s', 's.id', 'panel.certificates.site_id')
            .join('platform.jobs as j', 'j.id', 'panel.certificates.job_id')
            .select(
              'panel.certificates.*',
              's.root_path',
              's.runtime',
              's.proxy_port',
              's.host_id',
              'j.workflow_id',
            );
        const alreadyClaimed = await base()
          .where('panel.certificates.status', 'issuing')
          .where('j.workflow_id', 'like', `${childPrefix}%`);
        if (alreadyClaimed.length) return { jobId, renewals: alreadyClaimed.map(renewal) };

        const due = await certificates(trx)
          .join('panel.sites as s', 's.id', 'panel.certificates.site_id')
          .whereNotNull('panel.certificates.cert_dir')
          .whereNot('panel.certificates.status', 'issuing')
          .where('s.status', 'active')
          .modify(
            (q) =>
              input.all ||
              q.where(
                'panel.certificates.not_after',
                '<',
                trx.raw('now() + make_interval(days => ?)', [renewBeforeDays]),
              ),
          )
          .orderBy('panel.certificates.not_after')
          .forUpdate()
          .select('panel.certificates.id');
        for (const { id } of due) {
          const job = await createJob(trx, {
            product: 'panel',
            type: 'ssl.renew.certificate',
            target: { type: 'certificate', id },
            workflowId: `${childPrefix}${id}`,
            actor: input.actor,
          });
          await certificates(trx)
            .where({ id })
            .update({ status: 'issuing', job_id: job.id, error: null, updated_at: trx.fn.now() });
        }
        const claimed = due.length
          ? await base()
              .whereIn(
                'panel.certificates.id',
                due.map((d: { id: string }) => d.id),
              )
              .orderBy('panel.certificates.not_after')
          : [];
        return { jobId, renewals: claimed.map(renewal) };
      });
    },

    async finishRenewal({ jobId, error }: { jobId: string; error?: string }): Promise<void> {
      await db.transaction((trx) =>
        finishJob(trx, jobId, error ? { status: 'failed', error } : { status: 'succeeded' }),
      );
    },
  };
}
export type CertificateRecordActivities = ReturnType<typeof createCertificateRecordActivities>;
