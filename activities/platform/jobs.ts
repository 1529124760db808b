import type { Knex } from 'knex';
import { recordStep } from '../../core/jobs';

/** Job progress as workflows report it. */
export function createJobActivities({ db }: { db: Knex }) {
  return {
    async recordJobStep({ jobId, step }: { jobId: string; step: string }): Promise<void> {
      await recordStep(db, jobId, step);
    },
  };
}
export type JobActivities = ReturnType<typeof createJobActivities>;
