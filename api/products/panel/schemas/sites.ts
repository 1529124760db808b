import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { IdParam, Domain, Limit, Offset } from './common';

const RUNTIMES = ['static', 'php', 'proxy'] as const;
export const Runtime = z.enum(RUNTIMES, { error: () => `must be one of: ${RUNTIMES.join(', ')}` }).openapi({
  description:
    "static: files from root_path; php: also .php through a PHP-FPM pool of its own, running as the site's own user; proxy: requests go to an app on 127.0.0.1:proxy_port (files in root_path are served first).",
});

export const SiteIdParams = IdParam('site_id', 'site');

export const CreateSiteBody = z
  .strictObject({
    domain: Domain,
    root_path: z.string().max(4096).optional().openapi({
      description: 'Absolute path inside the web root; defaults to <web root>/<domain>.',
      example: '/var/www/example',
    }),
    runtime: Runtime.default('static'),
    proxy_port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .openapi({ description: 'Required for runtime proxy: the local port of the app', example: 3001 }),
    php_allow_exec: z
      .boolean()
      .default(false)
      .openapi({
        description:
          "runtime php only: lets the site's PHP start processes (exec, shell_exec, system, passthru, " +
          "popen, proc_open), as the site's own user. Off by default.",
      }),
  })
  .refine((b) => (b.runtime === 'proxy') === (b.proxy_port !== undefined), {
    message: 'is required for runtime proxy, and only for it',
    path: ['proxy_port'],
  })
  .refine((b) => b.runtime === 'php' || !b.php_allow_exec, {
    message: 'is for runtime php only',
    path: ['php_allow_exec'],
  })

  .openapi('CreateSiteRequest');

export const ListSitesQuery = z.strictObject({
  status: z.enum(['provisioning', 'active', 'failed', 'deleting']).optional(),
  limit: Limit,
  offset: Offset,
});

export const Site = z
  .object({
    id: z.string(),
    domain: z.string(),
    root_path: z.string(),
    runtime: Runtime,
    proxy_port: z.number().int().nullable(),
    php_allow_exec: z.boolean().openapi({ description: "Whether the site's PHP may start processes" }),
    status: z.enum(['provisioning', 'active', 'failed', 'deleting']),
    error: z.string().nullable(),
    job_id: z.string().nullable(),
    ssl: z
      .object({
        status: z.enum(['issuing', 'active', 'failed']),
        not_after: z.string().datetime().nullable(),
        issuer: z.string().nullable(),
        error: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: "The site's certificate (POST /v1/ssl/issue), or null when it has none" }),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
  })
  .openapi('Site');

export const SiteAccepted = z.object({ site: Site, job_id: z.string() }).openapi('SiteAccepted');

export const SiteResponse = z.object({ site: Site }).openapi('SiteResponse');
export const SiteList = z.object({ sites: z.array(Site), total: z.number().int() }).openapi('SiteList');
