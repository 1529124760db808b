import type { Knex } from 'knex';
import { Conflict, NotFound } from '../../../core/errors';
import { createJob, recordJobStart, startJobWorkflow } from '../../../core/jobs';
import { newId } from '../../../core/ids';
import { CONTROL_QUEUE, hostQueue, type Temporal } from '../../../core/temporal';
import type { CertificateWorkflowInput, RenewInput } from '../../../types/panel';
import { writeAudit } from '../../http/audit';
import type { Caller } from './auth';
import { Certificate, Site } from './models';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const certificateView = (c: Certificate) => ({
  id: c.id,
  site_id: c.site_id,
  domain: c.domain,
  status: c.status,
  serial: c.serial,
  subject: c.subject,
  issuer: c.issuer,
  not_before: iso(c.not_before),
  not_after: iso(c.not_after),
  error: c.error,
  job_id: c.job_id,
  updated_at: c.updated_at.toISOString(),
});

/**
 * Certificates: the API claims the site's certificate row (one order per domain at a time) and
 * starts the workflow; ACME, files and nginx are the workflow's. Renewals run as one workflow
 * that the API and the daily Schedule both start.
 */
export function createSslService(deps: { db: Knex; temporal: Temporal }) {
  const { db, temporal } = deps;

  return {
    async issue(caller: Caller, input: { domain: string; email: string }, ip: string) {
      const { certificate, job, site } = await db.transaction(async (trx) => {
        const site = await Site.query(trx).findOne({ domain: input.domain }).forUpdate();
        if (!site || site.status === 'deleting') throw new NotFound(`site for domain ${input.domain}`);
        if (site.status !== 'active')
          throw new Conflict(
            `domain: the site is ${site.status}; a certificate can be issued once it is active`,
            'domain',
          );
        const existing = await Certificate.query(trx).findOne({ site_id: site.id }).forUpdate();
        if (existing?.status === 'issuing')
          throw new Conflict(
            `domain: an order for ${input.domain} is already running (job ${existing.job_id})`,
            'domain',
          );
        const certId = existing?.id ?? newId('cert');
        const job = await createJob(trx, {
          product: 'panel',
          type: 'ssl.issue',
          target: { type: 'certificate', id: certId },
          workflowId: `panel-ssl-${certId}-${newId('issue')}`,
          actor: caller.user.username,
        });
        const fields = {
          status: 'issuing' as const,
          email: input.email,
          job_id: job.id,
          error: null,
          updated_at: new Date(),
        };
        const certificate = existing
          ? await Certificate.query(trx).patchAndFetchById(certId, fields)
          : await Certificate.query(trx).insertAndFetch({
              id: certId,
              site_id: site.id,
              domain: site.domain,
              ...fields,
            });
        const args: CertificateWorkflowInput = {
          certId: certificate.id,
          jobId: job.id,
          siteId: site.id,
          domain: site.domain,
          email: input.email,
          rootPath: site.root_path,
          runtime: site.runtime,
          proxyPort: site.proxy_port,
          previousCertDir: certificate.cert_dir,
          hostQueue: hostQueue(site.host_id),
        };
        await recordJobStart(trx, job, {
          workflowType: 'issueCertificate',
          taskQueue: CONTROL_QUEUE,
          args: [args],
        });
        await writeAudit(trx, 'panel', {
          actor: caller.user.username,
          action: 'ssl.issue',
          target: `site:${site.id}`,
          ip,
          outcome: 'success',
          detail: { domain: site.domain, email: input.email },
        });
        return { certificate, job, site };
      });
      await startJobWorkflow(
        db,
        temporal,
        job,
        `the order for ${site.domain} is recorded (issuing, job ${job.id}) and starts once Temporal answers; do not repeat it`,
      );
      return { certificate: certificateView(certificate), job_id: job.id };
    },

    /** Starts a renewal of the due certificates (or all); the job lists each one it renewed. */
    async renew(caller: Caller, input: { all: boolean }, ip: string) {
      const job = await db.transaction(async (trx) => {
        const job = await createJob(trx, {
          product: 'panel',
          type: 'ssl.renew',
          target: { type: 'certificates', id: input.all ? 'all' : 'due' },
          workflowId: `panel-ssl-${newId('renew')}`,
          actor: caller.user.username,
        });
        const args: RenewInput = { jobId: job.id, all: input.all, actor: caller.user.username };
        await recordJobStart(trx, job, {
          workflowType: 'renewCertificates',
          taskQueue: CONTROL_QUEUE,
          args: [args],
        });
        await writeAudit(trx, 'panel', {
          actor: caller.user.username,
          action: 'ssl.renew',
          target: 'certificates',
          ip,
          outcome: 'success',
          detail: { all: input.all },
        });
        return job;
      });
      await startJobWorkflow(db, temporal, job);
      return { job_id: job.id };
    },
  };
}
export type SslService = ReturnType<typeof createSslService>;
