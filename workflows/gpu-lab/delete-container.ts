import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ContainerHostActivities } from '../../activities/gpu-lab/container-host';
import type { ContainerRecordActivities } from '../../activities/gpu-lab/container-records';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';

const records = proxyLocalActivities<ContainerRecordActivities>(controlActivity);

export interface DeleteContainerInput {
  containerId: string;
  jobId: string;
  name: string;
  workspace: string;
  /** Keep the workspace volume (a lease in its grace period, an admin's choice). */
  keepWorkspace: boolean;
  hostQueue: string;
}

/** Remove a container (and its workspace unless kept) on its host, then its row; its ports and GPUs are free again. */
export async function deleteContainer(input: DeleteContainerInput): Promise<void> {
  const host = proxyActivities<ContainerHostActivities>(hostActivity(input.hostQueue));
  const saga = new JobSaga(input.jobId);
  try {
    await saga.step('remove container', () => host.removeLabContainer(input));
    if (!input.keepWorkspace) await saga.step('remove workspace', () => host.removeWorkspace(input));
  } catch (err) {
    const error = `delete failed: ${causeMessage(err)}`;
    await records.markContainerFailed({
      containerId: input.containerId,
      jobId: input.jobId,
      error,
      release: false,
    });
    throw ApplicationFailure.create({
      message: error,
      type: 'container_delete_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
  await records.removeContainerRecord({ containerId: input.containerId, jobId: input.jobId });
}
