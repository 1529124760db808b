import { proxyActivities } from '@temporalio/workflow';
import type { WorkflowStartActivities } from '../../activities/platform/workflow-starts';

const starts = proxyActivities<WorkflowStartActivities>({
  startToCloseTimeout: '2 minutes',
  // The next scheduled run tries again: no retries of its own to pile up behind an outage.
  retry: { maximumAttempts: 1 },
});

/**
 * Run by the Temporal Schedule `platform-workflow-starts` every WORKFLOW_START_RECONCILE_SECONDS:
 * starts the recorded workflow starts (the outbox) that their API never started.
 */
export async function reconcileWorkflowStarts(): Promise<{
  started: number;
  alreadyStarted: number;
  failed: number;
}> {
  return starts.startPendingWorkflows();
}
