import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { PhpHostActivities } from '../../activities/panel/php-host';
import type { SiteHostActivities } from '../../activities/panel/site-host';
import type { SslHostActivities } from '../../activities/panel/ssl-host';
import type { SiteRecordActivities } from '../../activities/panel/site-records';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';
import type { SiteWorkflowInput } from '../../types/panel';

const records = proxyLocalActivities<SiteRecordActivities>(controlActivity);

/**
 * Delete a site: stop serving it (vhost out, reload), its keys and chains, for PHP its pool and user, remove the files
 * Dermaga created, then the row. Nothing here can be undone; a failure leaves the site `failed` so the delete can be retried.
 */
export async function deleteSite(input: SiteWorkflowInput): Promise<void> {
  const host = proxyActivities<SiteHostActivities>(hostActivity(input.hostQueue));
  const php = proxyActivities<PhpHostActivities>(hostActivity(input.hostQueue));
  const ssl = proxyActivities<SslHostActivities>(hostActivity(input.hostQueue));
  const site = {
    siteId: input.siteId,
    domain: input.domain,
    rootPath: input.rootPath,
    runtime: input.runtime,
    proxyPort: input.proxyPort,
  };
  const saga = new JobSaga(input.jobId);
  try {
    await saga.step('remove nginx vhost', () => host.removeVhost(site));
    await saga.step('remove certificates', () => ssl.removeCertificates({ domain: input.domain }));
    if (input.runtime === 'php') {
      await saga.step('remove php-fpm pool', () => php.removePhpPool(site));
      await saga.step('remove site user', () => php.removeSiteUser(site));
    }
    await saga.step('remove site root', () => host.removeSiteRoot(site));
  } catch (err) {
    const error = `delete failed: ${causeMessage(err)}`;
    await records.markSiteFailed({ siteId: input.siteId, jobId: input.jobId, error });
    throw ApplicationFailure.create({
      message: error,
      type: 'site_delete_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
  await records.removeSiteRecord({ siteId: input.siteId, jobId: input.jobId });
}
