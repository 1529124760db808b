import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
} from '@temporalio/client';
import type { Config } from '../core/config';
import { CONTROL_QUEUE, hostQueue } from '../core/temporal';
import type { RunBackupInput } from '../workflows/panel/backup';
import type { RenewInput } from '../workflows/panel/renew-certificates';

/** A Temporal Schedule Dermaga keeps as configuration says: created, updated, or (cron `off`) deleted. */
export interface DesiredSchedule {
  scheduleId: string;
  /** Five-field cron, UTC; `off` removes the schedule. */
  cron?: string;
  /** Or an interval instead of a cron, e.g. `10s`. */
  every?: string;
  workflowType: string;
  /** Runs get this id plus the time Temporal started them. */
  workflowId: string;
  args: unknown[];
}

/** Every schedule the control plane owns. */
export const desiredSchedules = (config: Config): DesiredSchedule[] => [
  {
    scheduleId: 'panel-ssl-renew',
    cron: config.PANEL_SSL_RENEW_SCHEDULE,
    workflowType: 'renewCertificates',
    workflowId: 'panel-ssl-renew-scheduled',
    args: [{ all: false, actor: 'schedule' } satisfies RenewInput],
  },
  {
    // The outbox's reconciler: starts recorded workflow starts that their API never started.
    scheduleId: 'platform-workflow-starts',
    every: `${config.WORKFLOW_START_RECONCILE_SECONDS}s`,
    workflowType: 'reconcileWorkflowStarts',
    workflowId: 'platform-workflow-starts-scheduled',
    args: [],
  },
  {
    scheduleId: 'panel-backup',
    cron: config.PANEL_BACKUP_SCHEDULE,
    workflowType: 'runBackup',
    workflowId: 'panel-backup-scheduled',
    args: [
      {
        actor: 'schedule',
        keep: config.PANEL_BACKUP_KEEP,
        hostId: config.HOST_ID,
        hostQueue: hostQueue(config.HOST_ID),
      } satisfies RunBackupInput,
    ],
  },
];

/**
 * Makes the Temporal Schedules match the configuration. Run by every control worker at start:
 * creating one that exists updates it instead, so a changed cron takes effect on restart.
 */
export async function ensureSchedules(client: Client, schedules: DesiredSchedule[]): Promise<void> {
  for (const s of schedules) {
    const handle = client.schedule.getHandle(s.scheduleId);
    if (s.cron === 'off') {
      await handle
        .delete()
        .catch((err) => (err instanceof ScheduleNotFoundError ? undefined : Promise.reject(err)));
      continue;
    }
    const spec = s.every ? { intervals: [{ every: s.every }] } : { cronExpressions: [s.cron as string] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: s.workflowType,
      workflowId: s.workflowId,
      taskQueue: CONTROL_QUEUE,
      args: s.args,
    };
    try {
      // A run still going when the next is due is not doubled: the next one is skipped.
      // Runs missed while Temporal itself was down are not made up one by one: the next one does.
      await client.schedule.create({
        scheduleId: s.scheduleId,
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await handle.update((previous) => ({ ...previous, spec, action }));
    }
  }
}
