import { eventually, type TestApi } from './api';

/** Waits for a site to reach a status (or disappear, for 'gone') and returns its last view. */
export function waitForSite(api: TestApi, token: string, siteId: string, status: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const res = await api.request('GET', `/panel/v1/sites/${siteId}`, { token });
      if (status === 'gone') return res.status === 404 ? res.body : undefined;
      if (res.status !== 200) throw new Error(`GET site: ${res.status} ${res.text}`);
      return res.body.site.status === status ? res.body.site : undefined;
    },
    timeoutMs,
    `site ${siteId} to be ${status}`,
  );
}

export async function getJob(api: TestApi, token: string, jobId: string) {
  const res = await api.request('GET', `/panel/v1/jobs/${jobId}`, { token });
  if (res.status !== 200) throw new Error(`GET job: ${res.status} ${res.text}`);
  return res.body.job;
}

/** Waits until a job has finished (succeeded or failed). */
export const waitForJob = (api: TestApi, token: string, jobId: string, timeoutMs = 60_000) =>
  eventually(
    async () => {
      const job = await getJob(api, token, jobId);
      return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
    },
    timeoutMs,
    `job ${jobId} to finish`,
  );
