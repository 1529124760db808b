import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ContainerHostActivities } from '../../activities/gpu-lab/container-host';
import type { ContainerRecordActivities } from '../../activities/gpu-lab/container-records';
import { JobSaga, causeMessage } from '../platform/job-saga';
import { controlActivity, hostActivity } from '../platform/options';
import type { ContainerAction, LabContainerInput } from '../../types/gpu-lab';

export type { ContainerAction } from '../../types/gpu-lab';

const records = proxyLocalActivities<ContainerRecordActivities>(controlActivity);

/**
 * One action on an existing container, on its host. Stop, start, restart and a password change
 * leave it as it was when they fail; a failed reset leaves it failed (its old container is gone),
 * its reservation kept so a second reset can try again.
 */
export async function containerAction(input: LabContainerInput, action: ContainerAction): Promise<void> {
  const host = proxyActivities<ContainerHostActivities>(hostActivity(input.hostQueue));
  const saga = new JobSaga(input.jobId);
  let status: 'running' | 'stopped' = 'running';
  try {
    switch (action.kind) {
      case 'stop':
        await saga.step('stop container', () => host.stopLabContainer(input));
        status = 'stopped';
        break;
      case 'start':
        await saga.step('start container', () => host.startLabContainer(input));
        break;
      case 'restart':
        await saga.step('restart container', () => host.restartLabContainer(input));
        await saga.step('wait until running', () => host.startLabContainer(input));
        break;
      case 'change-password':
        await saga.step('set ssh password', () =>
          host.setSshPassword({ ...input, sealedSshPassword: action.sealedSshPassword }),
        );
        break;
      case 'reset':
        await saga.step('remove container', () => host.removeLabContainer(input));
        if (action.wipeWorkspace) {
          await saga.step('remove workspace', () => host.removeWorkspace(input));
          await saga.step('create workspace', () => host.createWorkspace(input));
        }
        await saga.step('create container', () => host.createLabContainer(input));
        await saga.step('start container', () => host.startLabContainer(input));
        await saga.step('set ssh password', () =>
          host.setSshPassword({ ...input, sealedSshPassword: action.sealedSshPassword }),
        );
        break;
    }
  } catch (err) {
    const error = `${action.kind} failed: ${causeMessage(err)}`;
    await saga.compensate();
    if (action.kind === 'reset')
      await records.markContainerFailed({
        containerId: input.containerId,
        jobId: input.jobId,
        error,
        release: false,
      });
    else await records.failContainerJob({ jobId: input.jobId, error });
    throw ApplicationFailure.create({
      message: error,
      type: 'container_action_failed',
      nonRetryable: true,
      cause: err as Error,
    });
  }
  await records.markContainerState({ containerId: input.containerId, jobId: input.jobId, status });
}
