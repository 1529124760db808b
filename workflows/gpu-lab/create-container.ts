import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ContainerHostActivities } from '../../activities/gpu-lab/container-host';
import type { ContainerRecordActivities } from '../../activities/gpu-lab/container-records';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';
import type { LabContainerInput } from '../../types/gpu-lab';

const records = proxyLocalActivities<ContainerRecordActivities>(controlActivity);

/**
 * Create a researcher's container on the host that holds its reservation: workspace volume,
 * container (limits, GPUs, ports, Jupyter token), start and wait until running, SSH password.
 * Any failure removes what was made and frees the ports and GPUs; the container row says why.
 */
export async function createContainer(input: LabContainerInput): Promise<void> {
  const host = proxyActivities<ContainerHostActivities>(hostActivity(input.hostQueue));
  const saga = new JobSaga(input.jobId);
  let dockerId = '';
  try {
    await saga.step(
      'create workspace',
      () => host.createWorkspace(input),
      () => host.removeWorkspace(input),
    );
    ({ dockerId } = await saga.step(
      'create container',
      () => host.createLabContainer(input),
      () => host.removeLabContainer(input),
    ));
    await saga.step('start container', () => host.startLabContainer(input));
    await saga.step('set ssh password', () => host.setSshPassword(input));
  } catch (err) {
    const undoFailures = await saga.compensate();
    const error = [causeMessage(err), ...undoFailures].join('; ');
    await records.markContainerFailed({
      containerId: input.containerId,
      jobId: input.jobId,
      error,
      release: true,
    });
    throw ApplicationFailure.create({
      message: error,
      type: 'container_create_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
  await records.markContainerRunning({ containerId: input.containerId, jobId: input.jobId, dockerId });
}
