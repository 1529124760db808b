import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { NotFound } from '../../../core/errors';
import { Job, temporalUiLink } from '../../../core/jobs';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The panel's view of its jobs: only jobs of the panel product, with a link into the Temporal UI. */
export function createJobService(deps: { db: Knex; config: Config }) {
  const { db, config } = deps;
  const view = (j: Job) => ({
    id: j.id,
    type: j.type,
    status: j.status,
    target: { type: j.target_type, id: j.target_id },
    steps: j.steps,
    error: j.error,
    workflow_id: j.workflow_id,
    temporal_ui_url: temporalUiLink(config.TEMPORAL_UI_URL, config.TEMPORAL_NAMESPACE, j.workflow_id),
    created_at: j.created_at.toISOString(),
    started_at: iso(j.started_at),
    finished_at: iso(j.finished_at),
  });

  return {
    async list(q: {
      status?: Job['status'];
      type?: string;
      target_id?: string;
      limit: number;
      offset: number;
    }) {
      const query = Job.query(db)
        .where({ product: 'panel' })
        .modify((b) => {
          if (q.status) b.where({ status: q.status });
          if (q.type) b.where({ type: q.type });
          if (q.target_id) b.where({ target_id: q.target_id });
        });
      const [rows, total] = await Promise.all([
        query.clone().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset),
        query.clone().resultSize(),
      ]);
      return { jobs: rows.map(view), total };
    },
    async get(jobId: string) {
      const job = await Job.query(db).findOne({ id: jobId, product: 'panel' });
      if (!job) throw new NotFound('job');
      return { job: view(job) };
    },
  };
}
export type JobService = ReturnType<typeof createJobService>;
