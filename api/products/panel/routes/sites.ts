import { caller } from './context';
import * as s from '../schemas/sites';
import type { PanelRoute, PanelServices } from './context';

/** Sites: created and deleted by workflows; answers come before the work. */
export function siteRoutes(route: PanelRoute, { sites }: PanelServices): void {
  route({
    method: 'get',
    path: '/v1/sites',
    tag: 'sites',
    auth: 'admin',
    summary: 'List sites, newest first',
    query: s.ListSitesQuery,
    responses: { 200: { description: 'Sites', schema: s.SiteList } },
    handler: ({ query }) => sites.list(query),
  });

  route({
    method: 'post',
    path: '/v1/sites',
    audit: 'site.create',
    tag: 'sites',
    auth: 'admin',
    summary: 'Create a site (provisioned asynchronously)',
    description:
      'Answers at once with the site in status `provisioning` and the job that provisions it. Poll GET /v1/jobs/{job_id} and GET /v1/sites/{site_id}.',
    body: s.CreateSiteBody,
    status: 202,
    responses: {
      202: { description: 'Accepted; provisioning started', schema: s.SiteAccepted },
      409: { description: 'Domain or root path already used' },
    },
    handler: ({ body }, ctx) => sites.create(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'get',
    path: '/v1/sites/{site_id}',
    tag: 'sites',
    auth: 'admin',
    summary: 'One site',
    params: s.SiteIdParams,
    responses: { 200: { description: 'The site', schema: s.SiteResponse } },
    handler: ({ params }) => sites.get(params.site_id),
  });

  route({
    method: 'delete',
    path: '/v1/sites/{site_id}',
    audit: 'site.delete',
    tag: 'sites',
    auth: 'admin',
    summary: 'Delete a site (asynchronously)',
    description:
      'The site goes to `deleting`; a job removes its vhost and files, then the site is gone (404).',
    params: s.SiteIdParams,
    status: 202,
    responses: {
      202: { description: 'Accepted; deletion started', schema: s.SiteAccepted },
      409: { description: 'Still provisioning' },
    },
    handler: ({ params }, ctx) => sites.remove(caller(ctx), params.site_id, ctx.ip),
  });
}
