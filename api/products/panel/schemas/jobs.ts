import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { IdParam, Limit, Offset } from './common';

export const JobIdParams = IdParam('job_id', 'job');

export const ListJobsQuery = z.strictObject({
  status: z.enum(['queued', 'running', 'succeeded', 'failed']).optional(),
  type: z.string().max(64).optional(),
  target_id: z.string().max(64).optional(),
  limit: Limit,
  offset: Offset,
});

export const Job = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'site.provision' }),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    target: z.object({ type: z.string(), id: z.string() }),
    steps: z.array(
      z.object({
        name: z.string(),
        status: z.enum(['running', 'succeeded', 'failed']),
        started_at: z.string(),
        finished_at: z.string().optional(),
      }),
    ),
    error: z.string().nullable(),
    workflow_id: z.string(),
    temporal_ui_url: z.string().url(),
    created_at: z.string().datetime(),
    started_at: z.string().datetime().nullable(),
    finished_at: z.string().datetime().nullable(),
  })
  .openapi('Job');
export const JobResponse = z.object({ job: Job }).openapi('JobResponse');
export const JobList = z.object({ jobs: z.array(Job), total: z.number().int() }).openapi('JobList');
