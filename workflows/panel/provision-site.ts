import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { PhpHostActivities } from '../../activities/panel/php-host';
import type { SiteHostActivities } from '../../activities/panel/site-host';
import type { SiteRecordActivities } from '../../activities/panel/site-records';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';
import type { SiteWorkflowInput } from '../../types/panel';

const records = proxyLocalActivities<SiteRecordActivities>(controlActivity);

/**
 * Provision a site: its root, for PHP its own user and PHP-FPM pool, its nginx server block, a
 * config test and a reload, then active. Any failure undoes the earlier steps and leaves the site
 * `failed` with the reason.
 */
export async function provisionSite(input: SiteWorkflowInput): Promise<void> {
  const host = proxyActivities<SiteHostActivities>(hostActivity(input.hostQueue));
  const php = proxyActivities<PhpHostActivities>(hostActivity(input.hostQueue));
  const { siteId, domain, rootPath, runtime, proxyPort, certDir, phpAllowExec } = input;
  const site = { siteId, domain, rootPath, runtime, proxyPort, certDir, phpAllowExec };
  const saga = new JobSaga(input.jobId);
  try {
    await saga.step(
      'create site root',
      () => host.createSiteRoot(site),
      () => host.removeSiteRoot(site),
    );
    if (input.runtime === 'php') {
      await saga.step(
        'create site user',
        () => php.createSiteUser(site),
        () => php.removeSiteUser(site),
      );
      await saga.step(
        'write php-fpm pool',
        () => php.writePhpPool(site),
        () => php.removePhpPool(site),
      );
      await saga.step('reload php-fpm', () => php.reloadPhpFpm(site));
    }
    await saga.step(
      'write nginx vhost',
      () => host.writeVhost(site),
      () => host.removeVhost(site),
    );
    await saga.step('test nginx config', () => host.testNginxConfig());
    await saga.step('reload nginx', () => host.reloadNginx(site));
  } catch (err) {
    const undoFailures = await saga.compensate();
    const error = [causeMessage(err), ...undoFailures].join('; ');
    await records.markSiteFailed({ siteId: input.siteId, jobId: input.jobId, error });
    throw ApplicationFailure.create({
      message: error,
      type: 'site_provision_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
  await records.markSiteActive({ siteId: input.siteId, jobId: input.jobId });
}
