import { ApplicationFailure, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CertificateRecordActivities } from '../../activities/panel/certificate-records';
import type { SiteHostActivities } from '../../activities/panel/site-host';
import type { CertificateInfo, SslHostActivities } from '../../activities/panel/ssl-host';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { acmeActivity, controlActivity, hostActivity } from '../platform/options';
import type { CertificateWorkflowInput } from '../../types/panel';

const records = proxyLocalActivities<CertificateRecordActivities>(controlActivity);

/**
 * Issue (or renew) one site's certificate: order it over ACME HTTP-01, point the site's vhost at
 * it, `nginx -t`, reload, and check nginx presents it. Any failure puts the previous vhost back and
 * discards the new key, so the site keeps serving exactly as before; the row says why it failed.
 */
export async function issueCertificate(
  input: CertificateWorkflowInput,
): Promise<{ serial: string; notAfter: string }> {
  const host = proxyActivities<SiteHostActivities>(hostActivity(input.hostQueue));
  const ssl = proxyActivities<SslHostActivities>(hostActivity(input.hostQueue));
  const acme = proxyActivities<Pick<SslHostActivities, 'obtainCertificate'>>(acmeActivity(input.hostQueue));
  const site = {
    siteId: input.siteId,
    domain: input.domain,
    rootPath: input.rootPath,
    runtime: input.runtime,
    proxyPort: input.proxyPort,
  };
  const saga = new JobSaga(input.jobId);
  let issued: CertificateInfo | undefined;
  try {
    issued = await saga.step(
      'order certificate',
      () =>
        acme.obtainCertificate({
          siteId: input.siteId,
          domain: input.domain,
          email: input.email,
          rootPath: input.rootPath,
        }),
      async () => issued && ssl.discardCertificate({ certDir: issued.certDir }),
    );
    const { certDir, serial } = issued;
    await saga.step(
      'write nginx vhost with TLS',
      () => host.writeVhost({ ...site, certDir }),
      async () => {
        await host.writeVhost({ ...site, certDir: input.previousCertDir });
        await host.reloadNginx(site);
      },
    );
    await saga.step('test nginx config', () => host.testNginxConfig());
    await saga.step('reload nginx', () => host.reloadNginx(site));
    await saga.step('verify served certificate', () =>
      ssl.verifyServedCertificate({ domain: input.domain, serial }),
    );
  } catch (err) {
    const undoFailures = await saga.compensate();
    const error = [causeMessage(err), ...undoFailures].join('; ');
    await records.markCertificateFailed({ certId: input.certId, jobId: input.jobId, error });
    throw ApplicationFailure.create({
      message: error,
      type: 'certificate_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
  await records.markCertificateActive({ certId: input.certId, jobId: input.jobId, certificate: issued });
  // Older keys are no longer referenced; failing to delete them is not the job's failure.
  await ssl
    .pruneCertificates({ domain: input.domain, keep: issued.certDir })
    .catch((err) =>
      log.warn('could not prune old certificates', { domain: input.domain, error: causeMessage(err) }),
    );
  return { serial: issued.serial, notAfter: issued.notAfter };
}
