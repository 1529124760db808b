import type { Knex } from 'knex';
import path from 'node:path';
import type { Config } from '../../../core/config';
import { Conflict, Invalid, NotFound } from '../../../core/errors';
import { createJob, recordJobStart, startJobWorkflow } from '../../../core/jobs';
import { newId } from '../../../core/ids';
import { hostQueue, CONTROL_QUEUE, type Temporal } from '../../../core/temporal';
import { writeAudit } from '../../http/audit';
import type { Caller } from './auth';
import { UniqueViolationError } from 'objection';
import { Certificate, Site } from './models';
import type { SiteWorkflowInput } from '../../../types/panel';

/** The site's certificate as a site list shows it: enough to see what needs attention. */
const sslView = (c: Certificate | undefined) =>
  c
    ? { status: c.status, not_after: c.not_after?.toISOString() ?? null, issuer: c.issuer, error: c.error }
    : null;

export const siteView = (s: Site, cert?: Certificate) => ({
  id: s.id,
  domain: s.domain,
  root_path: s.root_path,
  runtime: s.runtime,
  proxy_port: s.proxy_port,
  php_allow_exec: s.php_allow_exec,
  status: s.status,
  error: s.error,
  job_id: s.job_id,
  ssl: sslView(cert),
  created_at: s.created_at.toISOString(),
  updated_at: s.updated_at.toISOString(),
});

/**
 * A root path must be absolute, plainly spelled (no `..`, `.`, or doubled slashes) and strictly
 * inside the web root, so a site can never be pointed at /etc or at the web root itself.
 */
export function checkRootPath(rootPath: string, webRoot: string): string {
  const fail = (why: string): never => {
    throw new Invalid(`root_path: ${why}`, 'root_path');
  };
  if (!path.isAbsolute(rootPath)) fail('must be an absolute path');
  if (rootPath.split('/').some((seg) => seg === '..' || seg === '.'))
    fail('must not contain . or .. segments');
  if (!/^[A-Za-z0-9._\-/]+$/.test(rootPath)) fail('may contain only letters, digits, . _ - and /');
  const normalized = path.posix.normalize(rootPath).replace(/\/$/, '');
  if (normalized !== rootPath.replace(/\/$/, '')) fail('must be a normalized path');
  const base = path.posix.normalize(webRoot).replace(/\/$/, '');
  if (!normalized.startsWith(`${base}/`)) fail(`must be inside the web root ${base}`);
  return normalized;
}

/** The port in `host:port`, a URL, or an nginx listen value; `fallback` when it names none. */
function portOf(value: string | undefined, fallback: number | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  if (!value.includes('://')) return Number(value.split(':').pop()) || fallback;
  try {
    const url = new URL(value);
    const schemeDefault = ({ 'http:': 80, 'https:': 443 } as Record<string, number>)[url.protocol];
    return Number(url.port) || schemeDefault || fallback;
  } catch {
    return fallback;
  }
}

/** What listens on each of the platform's own ports (the first name wins where two share one). */
export function platformPorts(config: Config): Map<number, string> {
  const ports = new Map<number, string>();
  const add = (port: number | null, what: string) => {
    if (port && !ports.has(port)) ports.set(port, what);
  };
  add(portOf(config.TEMPORAL_ADDRESS, 7233), 'Temporal');
  add(portOf(config.TEMPORAL_UI_URL, null), 'Temporal UI');
  add(config.PORT, 'the API');
  add(portOf(config.DATABASE_URL, 5432), 'Postgres');
  add(portOf(config.PANEL_MYSQL_URL, 3306), 'MariaDB');
  if (config.DOCKER_HOST?.startsWith('tcp://')) add(portOf(config.DOCKER_HOST, null), 'Docker');
  add(portOf(config.PANEL_NGINX_LISTEN, null), 'nginx');
  add(portOf(config.PANEL_NGINX_TLS_LISTEN, null), 'nginx (TLS)');
  for (const port of config.PANEL_PROXY_DENIED_PORTS) add(port, 'PANEL_PROXY_DENIED_PORTS');
  return ports;
}

/** A proxy site publishes its port to the world through nginx: never one of the platform's own. */
function checkProxyPort(port: number | undefined, config: Config): void {
  const owner = port === undefined ? undefined : platformPorts(config).get(port);
  if (owner) {
    const why = `is one of the platform's own ports (${owner}); use the port your app listens on`;
    throw new Invalid(`proxy_port: ${port} ${why}`, 'proxy_port');
  }
}

/**
 * Refuses a root inside another live site's root or around one: deleting the outer site would take
 * the inner one's files. Callers hold the roots lock (takeRootsLock) until they insert.
 */
async function checkRootsApart(trx: Knex.Transaction, rootPath: string): Promise<void> {
  const other = await Site.query(trx)
    .whereNot({ status: 'failed' })
    .where(
      (b) =>
        b
          .whereRaw('starts_with(?, root_path || ?)', [rootPath, '/']) // inside it
          .orWhereRaw('starts_with(root_path, ?)', [`${rootPath}/`]), // around it
    )
    .first();
  if (other) {
    const why = `overlaps the root ${other.root_path} of site ${other.domain}`;
    throw new Conflict(`root_path: ${rootPath} ${why}`, 'root_path');
  }
}

/** One creation at a time checks and inserts roots: two nested roots created together cannot both pass. */
const takeRootsLock = (trx: Knex.Transaction) =>
  trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['panel-site-roots']);

/** Sites: rows here, the nginx and filesystem work in the provision/delete workflows. */
export function createSiteService(deps: { db: Knex; config: Config; temporal: Temporal }) {
  const { db, config, temporal } = deps;

  async function find(siteId: string): Promise<Site> {
    const site = await Site.query(db).findById(siteId);
    if (!site) throw new NotFound('site');
    return site;
  }

  const workflowInput = (site: Site, jobId: string): SiteWorkflowInput => ({
    siteId: site.id,
    jobId,
    domain: site.domain,
    rootPath: site.root_path,
    runtime: site.runtime,
    proxyPort: site.proxy_port,
    phpAllowExec: site.php_allow_exec,
    hostQueue: hostQueue(site.host_id),
  });

  return {
    async list(q: { status?: Site['status']; limit: number; offset: number }) {
      const query = Site.query(db).modify((b) => q.status && b.where({ status: q.status }));
      const [rows, total] = await Promise.all([
        query.clone().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset),
        query.clone().resultSize(),
      ]);
      const certs = await Certificate.query(db).whereIn(
        'site_id',
        rows.map((r) => r.id),
      );
      return {
        sites: rows.map((r) =>
          siteView(
            r,
            certs.find((c) => c.site_id === r.id),
          ),
        ),
        total,
      };
    },

    async get(siteId: string) {
      const site = await find(siteId);
      return { site: siteView(site, await Certificate.query(db).findOne({ site_id: siteId })) };
    },

    /** Records the site and its job, then starts provisioning; answers before any of it runs. */
    async create(
      caller: Caller,
      input: {
        domain: string;
        root_path?: string;
        runtime: Site['runtime'];
        proxy_port?: number;
        php_allow_exec?: boolean;
      },
      ip: string,
    ) {
      const rootPath = checkRootPath(
        input.root_path ?? path.posix.join(config.PANEL_WEB_ROOT, input.domain),
        config.PANEL_WEB_ROOT,
      );
      checkProxyPort(input.proxy_port, config);
      const siteId = newId('site');
      const { site, job } = await db
        .transaction(async (trx) => {
          await takeRootsLock(trx);
          await checkRootsApart(trx, rootPath);
          const job = await createJob(trx, {
            product: 'panel',
            type: 'site.provision',
            target: { type: 'site', id: siteId },
            workflowId: `panel-site-${siteId}-provision`,
            actor: caller.user.username,
          });
          const site = await Site.query(trx).insertAndFetch({
            id: siteId,
            domain: input.domain,
            root_path: rootPath,
            runtime: input.runtime,
            proxy_port: input.proxy_port ?? null,
            php_allow_exec: input.php_allow_exec ?? false,
            status: 'provisioning',
            host_id: config.HOST_ID,
            job_id: job.id,
          });
          await recordJobStart(trx, job, {
            workflowType: 'provisionSite',
            taskQueue: CONTROL_QUEUE,
            args: [workflowInput(site, job.id)],
          });
          await writeAudit(trx, 'panel', {
            actor: caller.user.username,
            action: 'site.create',
            target: `site:${siteId}`,
            ip,
            outcome: 'success',
            detail: { domain: input.domain, root_path: rootPath },
          });
          return { site, job };
        })
        .catch((err) => {
          if (!(err instanceof UniqueViolationError)) throw err;
          const field = err.constraint?.includes('root') ? 'root_path' : 'domain';
          throw new Conflict(
            `${field}: a site with this ${field === 'domain' ? 'domain' : 'root path'} already exists`,
            field,
          );
        });
      await startJobWorkflow(
        db,
        temporal,
        job,
        `site ${site.id} is recorded (provisioning, job ${job.id}) and its provisioning starts once Temporal answers; do not create it again`,
      );
      return { site: siteView(site), job_id: job.id };
    },

    /** Marks the site deleting and starts the deprovision workflow; a second call returns the same job. */
    async remove(caller: Caller, siteId: string, ip: string) {
      const outcome = await db.transaction(async (trx) => {
        const site = await Site.query(trx).findById(siteId).forUpdate();
        if (!site) throw new NotFound('site');
        if (site.status === 'deleting') return { site, job: null };
        if (site.status === 'provisioning')
          throw new Conflict('site is still provisioning; delete it once it is active or failed');
        // An order in flight would write the vhost back after the delete removed it.
        const ordering = await Certificate.query(trx).findOne({ site_id: site.id, status: 'issuing' });
        if (ordering)
          throw new Conflict(
            `a certificate order for this site is running (job ${ordering.job_id}); delete it once that job has finished`,
          );
        const job = await createJob(trx, {
          product: 'panel',
          type: 'site.delete',
          target: { type: 'site', id: site.id },
          workflowId: `panel-site-${site.id}-delete`,
          actor: caller.user.username,
        });
        const updated = await Site.query(trx).patchAndFetchById(site.id, {
          status: 'deleting',
          job_id: job.id,
          error: null,
          updated_at: new Date(),
        });
        await recordJobStart(trx, job, {
          workflowType: 'deleteSite',
          taskQueue: CONTROL_QUEUE,
          args: [workflowInput(site, job.id)],
        });
        await writeAudit(trx, 'panel', {
          actor: caller.user.username,
          action: 'site.delete',
          target: `site:${site.id}`,
          ip,
          outcome: 'success',
          detail: { domain: site.domain },
        });
        return { site: updated, job };
      });
      if (outcome.job) {
        const { job, site } = outcome;
        await startJobWorkflow(
          db,
          temporal,
          job,
          `the delete of site ${site.id} is recorded (deleting, job ${job.id}) and starts once Temporal answers`,
        );
      }
      return { site: siteView(outcome.site), job_id: outcome.site.job_id as string };
    },
  };
}
export type SiteService = ReturnType<typeof createSiteService>;
