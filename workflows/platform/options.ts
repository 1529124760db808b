import type { TypedSearchAttributes } from '@temporalio/common';
import { workflowInfo, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { DermagaResource } from '../../core/search-attributes';

/**
 * Database bookkeeping (job steps, resource status): quick writes run as local activities in the
 * control worker that runs the workflow, so no task queue round trip; retried until the database answers.
 */
export const controlActivity: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
};

/**
 * Host activities heartbeat every second while they run (activities/platform/heartbeat.ts, wired in
 * worker/activities.ts): a worker that died mid-step is noticed after this and the step retried on
 * the next worker, instead of after the whole start-to-close timeout.
 */
export const HOST_HEARTBEAT_TIMEOUT = '5 seconds';

/** Work on one machine (files, nginx): bounded retries, then the saga undoes what was done. */
export const hostActivity = (taskQueue: string): ActivityOptions => ({
  taskQueue,
  // Host steps take seconds; one that hangs (its worker alive, heartbeating) fails after this and is retried.
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT,
  // A host activity that never started (its host is down) fails after this, instead of waiting forever.
  scheduleToStartTimeout: '10 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '20 seconds',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['invalid_request', 'conflict'],
  },
});

/** An ACME order waits on a remote CA: minutes, not seconds (heartbeating all along, as every host activity). */
export const acmeActivity = (taskQueue: string): ActivityOptions => ({
  ...hostActivity(taskQueue),
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});

/**
 * A child workflow's search attributes: its parent's (product, owner: core/search-attributes.ts),
 * with the resource it acts on when it has its own. Children do not inherit them otherwise.
 */
export const childSearchAttributes = (resource?: string): TypedSearchAttributes => {
  const parent = workflowInfo().typedSearchAttributes;
  return resource && parent.get(DermagaResource) !== undefined
    ? parent.updateCopy([{ key: DermagaResource, value: resource }])
    : parent;
};
