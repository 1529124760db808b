import type { Knex } from 'knex';
import type { Temporal } from '../../core/temporal';
import { startPendingWorkflows, type ReconcileResult } from '../../core/workflow-starts';

/** The outbox's reconciler as an activity: the Schedule `platform-workflow-starts` runs it on the control queue. */
export function createWorkflowStartActivities({
  db,
  temporal,
  graceMs,
}: {
  db: Knex;
  temporal: Temporal;
  graceMs: number;
}) {
  return {
    /** Starts every recorded workflow start older than the grace that is not marked started. */
    async startPendingWorkflows(): Promise<ReconcileResult> {
      return startPendingWorkflows(db, temporal, { graceMs });
    },
  };
}
export type WorkflowStartActivities = ReturnType<typeof createWorkflowStartActivities>;
