import { ApplicationFailure } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { AppError, Unavailable } from './errors';
import { newId } from './ids';
import { hostQueue } from './queues';
import { typedSearchAttributesOf } from './search-attributes';
import type { Temporal } from './temporal';

/** Which read workflow a product runs on the control queue (its arguments: the host's queue, then the read). */
export interface HostReadWorkflow {
  workflowType: string;
  product: string;
  /** Failures a host reports that mean something other than "the host did not answer", with their status. */
  statusByType?: Record<string, number>;
}

/**
 * Asks one host something only it knows (its Docker engine, its nvidia-smi) through a product's
 * read workflow on its queue, and waits for the answer. A host with no worker polling its queue is a
 * 503 naming the host before anything starts; a host that does not answer in time is a 503 too; a
 * typed failure from the host keeps the status `statusByType` gives it.
 */
export function createHostReaderFor<Read>(temporal: Temporal, wf: HostReadWorkflow) {
  /** `timeoutMs` (default 60 s) bounds the whole read: the host's answer, or a 503 saying it did not come. */
  return async function readFromHost<T = unknown>(
    hostId: string,
    read: Read,
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

  async function ask<T>(hostId: string, read: Read, timeoutMs: number): Promise<T> {
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
      c.workflow.start(wf.workflowType, {
        workflowId: `${wf.product}-read-${newId('r')}`,
        taskQueue: 'dermaga-control',
        args: [hostQueue(hostId), read],
        workflowExecutionTimeout: `${Math.max(1, Math.ceil(timeoutMs / 1000))} seconds`,
        // A read for the platform, not one user's work.
        typedSearchAttributes: typedSearchAttributesOf({
          product: wf.product,
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
      const status = e instanceof ApplicationFailure && e.type ? wf.statusByType?.[e.type] : undefined;
      if (status && e instanceof ApplicationFailure)
        throw new AppError(e.type as string, status, e.message ?? '');
      throw new Unavailable(`host ${hostId} did not answer: ${e.message ?? String(err)}`);
    }
  }
}
