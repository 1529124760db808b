import { ApplicationFailure } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { AppError, Unavailable } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { typedSearchAttributesOf } from '../../../core/search-attributes';
import type { WorkflowName, Workflows } from '../../../core/workflow-starts';
import { CONTROL_QUEUE, hostQueue, type Temporal } from '../../../core/temporal';
import type { HostRead } from '../../../types/gpu-lab';

/** Failures a host reports that mean something other than "the host did not answer". */
const STATUS: Record<string, number> = {
  gpu_driver_unavailable: 503,
  gpu_permission_denied: 503,
  nvidia_smi_failed: 502,
  nvidia_smi_unparsable: 502,
};

/**
 * Asks one host something only it knows (its Docker engine, its nvidia-smi) through the
 * readFromHost workflow on its queue, and waits for the answer. A host with no worker polling
 * its queue is a 503 naming the host before anything starts; a host that does not answer in
 * time is a 503 too; a typed failure from the host keeps its status (502 for output nvidia-smi
 * should not have printed).
 */
export function createHostReader(temporal: Temporal) {
  /** `timeoutMs` (default 60 s) bounds the whole read: the host's answer, or a 503 saying it did not come. */
  return async function readFromHost<T = unknown>(
    hostId: string,
    read: HostRead,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Unavailable(`host ${hostId} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([ask<T>(hostId, read, timeoutMs), late]);
    } finally {
      clearTimeout(timer);
    }
  };

  async function ask<T>(hostId: string, read: HostRead, timeoutMs: number): Promise<T> {
    const { pollers } = await temporal.call((c) =>
      c.workflowService.describeTaskQueue({
        namespace: temporal.namespace,
        taskQueue: { name: hostQueue(hostId) },
        taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      }),
    );
    if (!pollers?.length)
      throw new Unavailable(
        `host ${hostId}: no worker polls ${hostQueue(hostId)}; start the worker on that host (HOST_ID=${hostId})`,
      );
    const handle = await temporal.call((c) =>
      c.workflow.start<Workflows['readFromHost']>('readFromHost' satisfies WorkflowName, {
        workflowId: `gpu-lab-read-${newId('r')}`,
        taskQueue: CONTROL_QUEUE,
        args: [hostQueue(hostId), read],
        workflowExecutionTimeout: `${Math.max(1, Math.ceil(timeoutMs / 1000))} seconds`,
        // A read for the platform (GPU inventory, an admin's look), not for one researcher.
        typedSearchAttributes: typedSearchAttributesOf({
          product: 'gpu-lab',
          owner: 'platform',
          resource: hostId,
        }),
      }),
    );
    try {
      // The answer may take as long as the read's own timeout; the wait is bounded a little past it.
      return (await temporal.call(() => handle.result(), { timeoutMs: timeoutMs + 5000 })) as T;
    } catch (err) {
      let e: { message?: string; cause?: unknown } = err as Error;
      while (e.cause) e = e.cause as typeof e;
      if (e instanceof ApplicationFailure && e.type && STATUS[e.type])
        throw new AppError(e.type, STATUS[e.type], e.message);
      throw new Unavailable(`host ${hostId} did not answer: ${e.message ?? String(err)}`);
    }
  }
}
export type HostReader = ReturnType<typeof createHostReader>;
