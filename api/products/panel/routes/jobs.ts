import * as s from '../schemas/jobs';
import type { PanelRoute, PanelServices } from './context';

/** Jobs: the progress of every long operation. */
export function jobRoutes(route: PanelRoute, { jobs }: PanelServices): void {
  route({
    method: 'get',
    path: '/v1/jobs',
    tag: 'jobs',
    auth: 'admin',
    summary: 'List jobs, newest first',
    query: s.ListJobsQuery,
    responses: { 200: { description: 'Jobs', schema: s.JobList } },
    handler: ({ query }) => jobs.list(query),
  });

  route({
    method: 'get',
    path: '/v1/jobs/{job_id}',
    tag: 'jobs',
    auth: 'admin',
    summary: 'One job with its progress steps',
    params: s.JobIdParams,
    responses: { 200: { description: 'The job', schema: s.JobResponse } },
    handler: ({ params }) => jobs.get(params.job_id),
  });
}
