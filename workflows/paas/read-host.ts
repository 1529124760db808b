import { proxyActivities } from '@temporalio/workflow';
import type { ServiceHostActivities } from '../../activities/paas/service-host';
import type { PaasHostRead } from '../../types/paas-deployments';
import { HOST_HEARTBEAT_TIMEOUT } from '../platform/options';

/**
 * A short workflow the API executes and waits for: one read on the host that runs a service (its
 * engine's stats or logs), retried once; a reader would rather hear "the host does not answer" than wait.
 */
export async function paasReadHost(hostQueue: string, read: PaasHostRead): Promise<unknown> {
  const host = proxyActivities<ServiceHostActivities>({
    taskQueue: hostQueue,
    startToCloseTimeout: '15 seconds',
    heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT,
    scheduleToStartTimeout: '5 seconds',
    retry: {
      maximumAttempts: 2,
      initialInterval: '200 milliseconds',
      nonRetryableErrorTypes: ['container_gone'],
    },
  });
  return read.kind === 'metrics' ? host.paasContainerMetrics(read) : host.paasContainerLogs(read);
}
