import { ApplicationFailure, executeChild, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { CertificateRecordActivities } from '../../activities/panel/certificate-records';
import type { JobActivities } from '../../activities/platform/jobs';
import { causeMessage } from '../platform/job-saga';
import { childSearchAttributes, controlActivity } from '../platform/options';
import { issueCertificate } from './issue-certificate';
import type { RenewInput } from '../../types/panel';

export type { RenewInput } from '../../types/panel';

const records = proxyLocalActivities<CertificateRecordActivities>(controlActivity);
const jobs = proxyLocalActivities<JobActivities>(controlActivity);

/**
 * Renews the certificates that expire soon (or all): claims them, then runs one issueCertificate
 * child per certificate, one after another (gentle on the CA's rate limits). One failure does not
 * stop the others; the job fails naming each domain that failed, and those keep their old certificate.
 */
export async function renewCertificates(input: RenewInput): Promise<{ renewed: string[]; failed: string[] }> {
  const { jobId, renewals } = await records.claimRenewals({
    jobId: input.jobId ?? null,
    workflowId: workflowInfo().workflowId,
    all: input.all,
    actor: input.actor,
  });
  const renewed: string[] = [];
  const failed: string[] = [];
  for (const { workflowId, input: cert } of renewals) {
    await jobs.recordJobStep({ jobId, step: `renew ${cert.domain} (${cert.jobId})` });
    try {
      await executeChild(issueCertificate, {
        workflowId,
        args: [cert],
        typedSearchAttributes: childSearchAttributes(cert.siteId),
      });
      renewed.push(cert.domain);
      await jobs.recordJobStep({ jobId });
    } catch (err) {
      failed.push(`${cert.domain}: ${causeMessage(err)}`);
      await jobs.recordJobStep({ jobId, close: 'failed' });
    }
  }
  const error = failed.length
    ? `${failed.length} of ${renewals.length} renewals failed: ${failed.join('; ')}`
    : undefined;
  await records.finishRenewal({ jobId, error });
  if (error) throw ApplicationFailure.create({ message: error, type: 'renewal_failed', nonRetryable: true });
  return { renewed, failed };
}
