import { WorkflowNotFoundError, type SignalDefinition } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger';
import { TemporalUnavailable, type Temporal } from '../../../core/temporal';
import { startRecordedNow } from '../../../core/workflow-starts';
import { enrollmentWorkflowIdOf } from '../../../workflows/academy/ids';

/**
 * Tells an enrollment's workflow that its rows changed (paid, completed, ended). The rows are
 * written first and are what the workflow acts on, so a signal that cannot be sent (Temporal away)
 * is only late: the workflow reads its rows again within ACADEMY_ENROLLMENT_RECHECK_SECONDS. A
 * workflow whose start still waits in the outbox is started first; one that has ended is left be.
 */
export async function signalEnrollment<A extends unknown[]>(
  deps: { db: Knex; temporal: Temporal; logger: Logger },
  enrollmentId: number,
  definition: SignalDefinition<A>,
  ...args: A
): Promise<boolean> {
  const workflowId = enrollmentWorkflowIdOf(enrollmentId);
  const consequence = 'the change is recorded; the enrollment workflow reads it when it next wakes';
  const send = () =>
    deps.temporal.call((c) => c.workflow.getHandle(workflowId).signal(definition, ...args), { consequence });
  try {
    try {
      await send();
      return true;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      if (!(await startRecordedNow(deps.db, deps.temporal, workflowId, consequence))) return false;
    }
    await send();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    if (!(err instanceof TemporalUnavailable)) throw err;
    deps.logger.warn(
      { workflowId, signal: definition.name },
      'enrollment signal not sent: Temporal unavailable',
    );
    return false;
  }
}
