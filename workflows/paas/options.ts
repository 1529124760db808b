import type { ActivityOptions } from '@temporalio/workflow';
import { HOST_HEARTBEAT_TIMEOUT, hostActivity } from '../platform/options';

/** A step that waits on something outside for up to `waitMs` (a pull, a container becoming healthy): its deadline is that wait plus a margin. */
export const waitingHostActivity = (taskQueue: string, waitMs: number): ActivityOptions => ({
  ...hostActivity(taskQueue),
  startToCloseTimeout: waitMs + 15_000,
});

/** A question to a host that may not be there (its capacity): asked once, answered in seconds or not at all. */
export const probeHostActivity = (taskQueue: string): ActivityOptions => ({
  taskQueue,
  startToCloseTimeout: '10 seconds',
  scheduleToStartTimeout: '10 seconds',
  heartbeatTimeout: HOST_HEARTBEAT_TIMEOUT,
  retry: { maximumAttempts: 1 },
});
