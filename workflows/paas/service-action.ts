import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DeploymentRecordActivities } from '../../activities/paas/deployment-records';
import type { ServiceHostActivities } from '../../activities/paas/service-host';
import type { PaasActionInput } from '../../types/paas-deployments';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';
import { waitingHostActivity } from './options';

const records = proxyLocalActivities<DeploymentRecordActivities>(controlActivity);

/**
 * stop: the running container is stopped and removed (the network and data volume stay for the
 * next start), its deployment `stopped`. restart: the container is restarted and must be healthy
 * again. The service's status says how it ended.
 */
export async function paasServiceAction(input: PaasActionInput): Promise<void> {
  const host = proxyActivities<ServiceHostActivities>(hostActivity(input.container.hostQueue));
  const saga = new JobSaga(input.jobId);
  try {
    if (input.kind === 'stop') {
      await saga.step('stop container', () => host.stopPaasContainer(input.container));
      await saga.step('remove container', () => host.removePaasContainer(input.container));
      await records.markPaasServiceState({
        serviceId: input.serviceId,
        jobId: input.jobId,
        status: 'stopped',
        stoppedDeploymentId: input.deploymentId,
      });
      return;
    }
    await saga.step('restart container', () => host.restartPaasContainer(input.container));
    await saga.step('wait until healthy', () =>
      proxyActivities<ServiceHostActivities>(
        waitingHostActivity(input.container.hostQueue, input.healthTimeoutMs),
      ).waitPaasHealthy({ ...input, name: input.container.name }),
    );
    await records.markPaasServiceState({ serviceId: input.serviceId, jobId: input.jobId, status: 'running' });
  } catch (err) {
    const error = `${input.kind} failed: ${causeMessage(err)}`;
    await saga.compensate();
    // A stop that failed leaves the container as it was (running); a restart that did not come back healthy is failed.
    await records.markPaasServiceState({
      serviceId: input.serviceId,
      jobId: input.jobId,
      status: input.kind === 'stop' ? 'running' : 'failed',
      error,
    });
    throw ApplicationFailure.create({ message: error, type: `${input.kind}_failed`, nonRetryable: true });
  }
}
