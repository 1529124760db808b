import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import { Job } from '../../../core/jobs';
import type { LabCaller } from './auth';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** A gpu-lab job as its answers show it: what ran on which container, step by step, and why it failed. */
export const jobView = (j: Job) => ({
  id: j.id,
  type: j.type,
  status: j.status,
  containerId: j.target_type === 'container' ? j.target_id : null,
  steps: j.steps.map((s) => ({
    name: s.name,
    status: s.status,
    startedAt: s.started_at,
    finishedAt: s.finished_at ?? null,
  })),
  error: j.error,
  createdAt: iso(j.created_at) as string,
  startedAt: iso(j.started_at),
  finishedAt: iso(j.finished_at),
});

/**
 * gpu-lab's jobs (the shared platform.jobs rows of product gpu-lab): an admin reads any; a
 * researcher only the jobs of their own containers (anything else is 404, as for containers).
 */
export function createLabJobService(deps: { db: Knex }) {
  const { db } = deps;
  return {
    async get(caller: LabCaller, jobId: string) {
      const job = await Job.query(db).findOne({ id: jobId, product: 'gpu-lab' });
      const containers = db('gpu_lab.containers');
      const owned = async (j: Job) =>
        j.target_type === 'container' &&
        Boolean(await containers.where({ id: j.target_id, owner_id: caller.user.id }).first('id'));
      const visible = job && (caller.user.role === 'admin' || (await owned(job)));
      if (!job || !visible) throw new NotFound(`job ${jobId}`);
      return { job: jobView(job) };
    },

    /** The container's newest job, if it had any. */
    async lastOf(containerId: string) {
      const job = await Job.query(db)
        .where({ product: 'gpu-lab', target_type: 'container', target_id: containerId })
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .first();
      return job ? jobView(job) : null;
    },
  };
}
export type LabJobService = ReturnType<typeof createLabJobService>;
