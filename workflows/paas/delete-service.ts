import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DeploymentRecordActivities } from '../../activities/paas/deployment-records';
import type { ServiceHostActivities } from '../../activities/paas/service-host';
import type { PaasDeleteInput } from '../../types/paas-deployments';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';

const records = proxyLocalActivities<DeploymentRecordActivities>(controlActivity);

/**
 * Deletes a service: on every host it ran on, its containers (every deployment's), then its network
 * and volume; then its row (its deployments with it). A failure leaves the service `failed` with the
 * reason on its job, and nothing of it is forgotten: a second delete tries again.
 */
export async function deletePaasService(input: PaasDeleteInput): Promise<void> {
  const saga = new JobSaga(input.jobId);
  try {
    for (const queue of input.hostQueues) {
      const host = proxyActivities<ServiceHostActivities>(hostActivity(queue));
      await saga.step(`remove containers on ${queue}`, () => host.removePaasServiceContainers(input));
      await saga.step(`remove network on ${queue}`, () => host.removePaasNetwork(input));
      await saga.step(`remove volume on ${queue}`, () => host.removePaasVolume(input));
    }
  } catch (err) {
    const error = `delete failed: ${causeMessage(err)}`;
    await records.failPaasDelete({ serviceId: input.serviceId, jobId: input.jobId, error });
    throw ApplicationFailure.create({ message: error, type: 'delete_failed', nonRetryable: true });
  }
  await records.removePaasServiceRecord({ serviceId: input.serviceId, jobId: input.jobId });
}
