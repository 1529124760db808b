import { proxyActivities } from '@temporalio/workflow';
import type { ContainerHostActivities } from '../../activities/gpu-lab/container-host';
import type { NvidiaSmiActivities } from '../../activities/gpu-lab/nvidia-smi';
import type { HostRead } from '../../types/gpu-lab';

export type { HostRead } from '../../types/gpu-lab';
import { causeMessage } from '../platform/job-saga';
import { HOST_HEARTBEAT_TIMEOUT } from '../platform/options';

/**
 * A short workflow the API executes and waits for: one activity on `hostQueue`, no retries beyond
 * a couple (a reader would rather hear "the host does not answer" than wait).
 */
export async function readFromHost(hostQueue: string, read: HostRead): Promise<unknown> {
  const host = proxyActivities<ContainerHostActivities & NvidiaSmiActivities>({
    taskQueue: hostQueue,
    startToCloseTimeout: '40 seconds',
    heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT,
    scheduleToStartTimeout: '10 seconds',
    retry: { maximumAttempts: 2, initialInterval: '500 milliseconds' },
  });
  switch (read.kind) {
    case 'stats': {
      if (!read.gpus?.length) return host.containerStats(read);
      // GPU load where the host has a driver; without one the container's own stats still answer.
      const [stats, gpu] = await Promise.all([
        host.containerStats(read),
        host.gpuStats({ uuids: read.gpus }).catch((err: Error) => ({ error: causeMessage(err) })),
      ]);
      return { ...stats, gpu };
    }
    case 'logs':
      return host.containerLogs(read);
    case 'batchStats':
      return host.batchStats(read);
    case 'images':
      return host.localImages(read);
    case 'capacity':
      return host.engineCapacity();
    case 'portsInUse':
      return host.portsInUse(read);
    case 'gpus':
      return host.readNvidiaSmi(read);
  }
}
