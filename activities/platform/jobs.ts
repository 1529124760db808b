import type { Knex } from 'knex';
import { recordStep } from '../../core/jobs';

/** Job progress as workflows report it. */
export function createJobActivities({ db }: { db: Knex }) {
  return {
    /** Closes the running step (succeeded unless said otherwise) and starts `step`, if given. */
    async recordJobStep({
      jobId,
      step,
      close = 'succeeded',
    }: {
      jobId: string;
      step?: string;
      close?: 'succeeded' | 'failed';
    }): Promise<void> {
      await recordStep(db, jobId, step, close);
    },
  };
}
export type JobActivities = ReturnType<typeof createJobActivities>;
