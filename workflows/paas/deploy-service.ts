import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DeploymentRecordActivities } from '../../activities/paas/deployment-records';
import type { ServiceHostActivities } from '../../activities/paas/service-host';
import { hostQueue } from '../../core/queues';
import type { PaasDeployInput } from '../../types/paas-deployments';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';
import { probeHostActivity, waitingHostActivity } from './options';

const records = proxyLocalActivities<DeploymentRecordActivities>(controlActivity);

/**
 * One deployment of a service (`paas-deploy-<deployment id>`): a host with room, the image, the
 * service's network and volume, the container with its limits and published ports, started and
 * healthy. Any failure or deadline undoes what this deployment made; a deployment it was to replace
 * keeps serving (it is removed only once this one is healthy) and is started again if it stopped.
 */
export async function deployService(input: PaasDeployInput): Promise<'completed' | 'failed' | 'skipped'> {
  if (!(await records.beginPaasDeployment({ deploymentId: input.deploymentId }))) return 'skipped';
  const saga = new JobSaga(input.jobId);
  const firstOfService = !(input.keepNetworkAndVolume ?? input.previous !== null);
  let queue = '';
  try {
    const hostId = await saga.step('pick a host', async () => {
      const engines = await Promise.all(
        input.hosts.map((h) =>
          input.capacity?.[h]
            ? { hostId: h, ...input.capacity[h], source: 'config' as const }
            : proxyActivities<ServiceHostActivities>(probeHostActivity(hostQueue(h)))
                .paasEngineCapacity()
                .then(
                  (c) => ({
                    hostId: h,
                    cpuMhz: Math.floor(c.cpus * input.mhzPerCore),
                    memoryMb: c.memoryMb,
                    source: 'engine' as const,
                  }),
                  (err) => ({ hostId: h, error: causeMessage(err) }),
                ),
        ),
      );
      return records.reservePaasHost({
        deploymentId: input.deploymentId,
        cpuMhz: input.cpuMhz,
        memoryMb: input.memoryMb,
        engines,
      });
    });
    queue = hostQueue(hostId);
    const host = proxyActivities<ServiceHostActivities>(hostActivity(queue));
    const waiting = (ms: number) => proxyActivities<ServiceHostActivities>(waitingHostActivity(queue, ms));

    await saga.step('ensure image', () =>
      waiting(input.pullTimeoutMs).ensurePaasImage({
        image: input.image,
        pullTimeoutMs: input.pullTimeoutMs,
      }),
    );
    // The network and volume are the service's: made by its first deployment, kept by later ones.
    await saga.step(
      'create network',
      () => host.createPaasNetwork(input),
      firstOfService ? () => host.removePaasNetwork(input) : undefined,
    );
    await saga.step(
      'create volume',
      () => host.createPaasVolume(input),
      firstOfService ? () => host.removePaasVolume(input) : undefined,
    );
    const { containerId } = await saga.step(
      'create container',
      () => host.createPaasContainer(input),
      () => host.removePaasContainer(input),
    );
    await saga.step('start container', () => host.startPaasContainer(input));
    const { ports } = await saga.step('wait until healthy', () =>
      waiting(input.healthTimeoutMs).waitPaasHealthy(input),
    );
    const completed = await records.completePaasDeployment({ ...input, containerId, ports });
    if (!completed) {
      // The service was deleted meanwhile: nothing of this deployment may outlive it.
      await saga.compensate();
      await removeLeftovers(queue, input);
      return 'skipped';
    }
  } catch (err) {
    const undoFailures = await saga.compensate();
    // The previous deployment was never touched; make sure it still runs (it may have died meanwhile).
    const previousBack = input.previous
      ? await proxyActivities<ServiceHostActivities>(hostActivity(input.previous.hostQueue))
          .startPaasContainer(input.previous)
          .then(
            () => true,
            () => false,
          )
      : false;
    const error = [causeMessage(err), ...undoFailures].join('; ');
    const serviceDeleted = await records.failPaasDeployment({
      deploymentId: input.deploymentId,
      serviceId: input.serviceId,
      jobId: input.jobId,
      error,
      serviceStatus: previousBack ? 'running' : 'failed',
    });
    if (serviceDeleted && queue) await removeLeftovers(queue, input);
    throw ApplicationFailure.create({ message: error, type: 'deployment_failed', nonRetryable: true });
  }
  // Only now that this one is healthy does the one it replaces go.
  if (input.previous)
    await proxyActivities<ServiceHostActivities>(hostActivity(input.previous.hostQueue))
      .removePaasContainer(input.previous)
      .catch(() => undefined);
  return 'completed';
}

/**
 * A deployment that raced its service's delete may have made the network or volume again after
 * the delete removed them: it removes them too (each removal is a no-op when nothing is there).
 */
async function removeLeftovers(queue: string, input: PaasDeployInput): Promise<void> {
  const host = proxyActivities<ServiceHostActivities>(hostActivity(queue));
  await host.removePaasServiceContainers(input).catch(() => undefined);
  await host.removePaasNetwork(input).catch(() => undefined);
  await host.removePaasVolume(input).catch(() => undefined);
}
