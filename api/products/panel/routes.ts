import type { Context } from 'koa';
import type { Knex } from 'knex';
import { createRoutes, reply } from '../../http/route';
import type { AuthLevel, AuthService, Caller } from './auth';
import { PanelError } from './envelope';
import type { createJobService } from './jobs';
import * as s from './schemas';
import type { SiteService } from './sites';
import { compatibility } from './system';

interface Services {
  db: Knex;
  auth: AuthService;
  sites: SiteService;
  jobs: ReturnType<typeof createJobService>;
  osReleaseFile: string;
}

const caller = (ctx: Context) => ctx.state.caller as Caller;

/** Every panel.md endpoint this product serves, each one a thin call into a service. */
export function panelRoutes({ db, auth, sites, jobs, osReleaseFile }: Services) {
  const api = createRoutes<AuthLevel>({ authenticate: auth.authenticate, publicLevel: 'public', errorSchema: PanelError });
  const { route } = api;

  route({
    method: 'get', path: '/healthz', tag: 'system', auth: 'public', summary: 'Liveness of the panel and its database',
    responses: { 200: { description: 'Healthy', schema: s.Healthz }, 503: { description: 'Database unreachable', schema: s.Healthz } },
    handler: async () => {
      const ok = await db.raw('select 1').then(() => true, () => false);
      const body = { status: ok ? 'ok' : 'degraded', service: 'nusantarad', timestamp: new Date().toISOString() };
      return reply(ok ? 200 : 503, body);
    },
  });

  route({
    method: 'get', path: '/v1/system/compatibility', tag: 'system', auth: 'public', summary: 'Whether this host runs a supported OS',
    responses: { 200: { description: 'Read from /etc/os-release', schema: s.Compatibility } },
    handler: () => compatibility(osReleaseFile),
  });

  route({
    method: 'post', path: '/v1/auth/login', tag: 'auth', auth: 'public', summary: 'Log in and get a bearer token',
    description: 'At most 5 failed attempts per 5 minutes per IP and username; then 429 with Retry-After.',
    body: s.LoginBody,
    responses: { 200: { description: 'Logged in', schema: s.LoginResponse } },
    handler: ({ body }, ctx) => auth.login(body, ctx.ip),
  });

  route({
    method: 'post', path: '/v1/auth/logout', tag: 'auth', auth: 'user', summary: 'Revoke this token at once',
    responses: { 204: { description: 'Logged out' } },
    handler: async (_, ctx) => {
      await auth.logout(caller(ctx), ctx.ip);
      return reply(204);
    },
  });

  route({
    method: 'get', path: '/v1/auth/me', tag: 'auth', auth: 'user', summary: 'Who this token belongs to',
    responses: { 200: { description: 'The caller', schema: s.MeResponse } },
    handler: async (_, ctx) => auth.me(caller(ctx)),
  });

  route({
    method: 'post', path: '/v1/auth/change-password', tag: 'auth', auth: 'user', summary: 'Change your password and sign out other sessions',
    body: s.ChangePasswordBody,
    responses: { 200: { description: 'Changed', schema: s.PasswordChanged } },
    handler: ({ body }, ctx) => auth.changePassword(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'get', path: '/v1/sites', tag: 'sites', auth: 'admin', summary: 'List sites, newest first',
    query: s.ListSitesQuery,
    responses: { 200: { description: 'Sites', schema: s.SiteList } },
    handler: ({ query }) => sites.list(query),
  });

  route({
    method: 'post', path: '/v1/sites', tag: 'sites', auth: 'admin', summary: 'Create a site (provisioned asynchronously)',
    description: 'Answers at once with the site in status `provisioning` and the job that provisions it. Poll GET /v1/jobs/{job_id} and GET /v1/sites/{site_id}.',
    body: s.CreateSiteBody,
    status: 202,
    responses: { 202: { description: 'Accepted; provisioning started', schema: s.SiteAccepted }, 409: { description: 'Domain or root path already used' } },
    handler: ({ body }, ctx) => sites.create(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'get', path: '/v1/sites/{site_id}', tag: 'sites', auth: 'admin', summary: 'One site',
    params: s.SiteIdParams,
    responses: { 200: { description: 'The site', schema: s.SiteResponse } },
    handler: ({ params }) => sites.get(params.site_id),
  });

  route({
    method: 'delete', path: '/v1/sites/{site_id}', tag: 'sites', auth: 'admin', summary: 'Delete a site (asynchronously)',
    description: 'The site goes to `deleting`; a job removes its vhost and files, then the site is gone (404).',
    params: s.SiteIdParams,
    status: 202,
    responses: { 202: { description: 'Accepted; deletion started', schema: s.SiteAccepted }, 409: { description: 'Still provisioning' } },
    handler: ({ params }, ctx) => sites.remove(caller(ctx), params.site_id, ctx.ip),
  });

  route({
    method: 'get', path: '/v1/jobs', tag: 'jobs', auth: 'admin', summary: 'List jobs, newest first',
    query: s.ListJobsQuery,
    responses: { 200: { description: 'Jobs', schema: s.JobList } },
    handler: ({ query }) => jobs.list(query),
  });

  route({
    method: 'get', path: '/v1/jobs/{job_id}', tag: 'jobs', auth: 'admin', summary: 'One job with its progress steps',
    params: s.JobIdParams,
    responses: { 200: { description: 'The job', schema: s.JobResponse } },
    handler: ({ params }) => jobs.get(params.job_id),
  });

  return api;
}
