import type { Knex } from 'knex';
import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../core/config';
import { generatePassword } from '../../../core/crypto';
import { Invalid } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import type { Temporal } from '../../../core/temporal';
import type { DeploymentRow } from '../../../types/paas';
import { writeAudit } from '../../http/audit';
import type { PaasCaller } from './auth';
import { createDeploymentStarts, type DeploymentStarts } from './deployments';
import { createHostLimits } from './host-limits';
import { brokenUnique, Deployment, Service, Template, Tenant } from './models';
import { findService, visibleServices } from './service-access';
import {
  type ConfigBase,
  type ConfigInput,
  checkFitsHost,
  imageAllowed,
  maskedConfig,
  resolveConfig,
} from './service-config';

/** Deployments shown per service in GET /services (newest first). */
const DEPLOYMENTS_LISTED = 5;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The service as GET /services/:id shows it: passwords in clear only to the one who created it. */
export const serviceView = (s: Service, caller: PaasCaller) => ({
  id: s.id,
  name: s.name,
  type: s.type,
  status: s.status,
  description: s.description,
  config: maskedConfig(s.config, s.secrets, s.created_by === caller.user.id),
  template_id: s.template_id,
  tenant_id: s.tenant_id,
  created_by: s.created_by,
  created_at: s.created_at.toISOString(),
  updated_at: s.updated_at.toISOString(),
});

const deploymentSummary = (d: Pick<Deployment, keyof DeploymentRow>) => ({
  id: d.id,
  status: d.status,
  nomad_job_id: d.nomad_job_id,
  // Additive: where to reach the service (container port → host port on its node).
  published_ports: d.ports ?? null,
  error: d.error,
  started_at: iso(d.started_at),
  completed_at: iso(d.completed_at),
});

const templateBase = (t: Template | undefined | null): ConfigBase | null =>
  t
    ? {
        config: t.config,
        variables: t.variables,
        health: { image: t.config.image, check: t.health_check },
      }
    : null;

const ALREADY_EXISTS = 'Service already exists for this tenant';

/** A unique violation of (tenant_id, type): two creates of one type raced past the check. */
const isDuplicateType = (err: unknown) => brokenUnique(err) === 'services_tenant_type_unique';

/**
 * Services: create from a template or one's own config, list, read, update, delete. Deploying them
 * (start, stop, restart, redeploy, delete's clean-up) is in deployments.ts and workflows/paas.
 */
export function createServiceService(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  logger: Logger;
  starts?: DeploymentStarts;
}) {
  const { db, config } = deps;
  const starts = deps.starts ?? createDeploymentStarts(deps);
  const hostLimits = createHostLimits({ db, config });
  const audit = (trx: Knex | Knex.Transaction, entry: Parameters<typeof writeAudit>[2]) =>
    writeAudit(trx, 'paas', entry);

  /** Image allowed by PAAS_IMAGE_ALLOWLIST, cpu and memory within the largest host. */
  async function checkPlaceable(resolved: ReturnType<typeof resolveConfig>) {
    if (!imageAllowed(resolved.config.image, config.PAAS_IMAGE_ALLOWLIST))
      throw new Invalid(
        `config.image: ${resolved.config.image} is not allowed here (PAAS_IMAGE_ALLOWLIST)`,
        'config.image',
      );
    checkFitsHost(resolved.config.resources, await hostLimits());
  }

  async function knownTypes(): Promise<string[]> {
    const rows = await db('paas.templates').distinct('type').orderBy('type');
    return rows.map((r: { type: string }) => r.type);
  }

  async function templateFor(caller: PaasCaller, id: string) {
    const t = await Template.query(db).findById(id);
    if (!t || (!t.is_public && caller.user.role !== 'admin'))
      throw new Invalid('template_id: unknown template', 'template_id');
    return t;
  }

  return {
    async create(
      caller: PaasCaller,
      body: { name: string; type?: string; description: string; template_id?: string; config: ConfigInput },
    ) {
      const template = body.template_id ? await templateFor(caller, body.template_id) : null;
      const type = body.type ?? template?.type;
      if (!type) throw new Invalid('type: is required (or give template_id)', 'type');
      if (template && type !== template.type)
        throw new Invalid(`type: must be "${template.type}", the type of template ${template.name}`, 'type');
      if (!template) {
        const known = await knownTypes();
        if (!known.includes(type))
          throw new Invalid(`type: unknown service type (known: ${known.join(', ')})`, 'type');
      }
      const resolved = resolveConfig(templateBase(template), body.config, generatePassword);
      await checkPlaceable(resolved);

      const service = await db
        .transaction(async (trx) => {
          // The tenant's row lock serialises its creates: the count and the type check below hold.
          const tenant = await Tenant.query(trx).findById(caller.user.tenant_id).forUpdate();
          if (!tenant) throw new Invalid('tenant: the caller has no tenant');
          const taken = await Service.query(trx).findOne({ tenant_id: tenant.id, type });
          if (taken) throw new Invalid(ALREADY_EXISTS, 'type');
          const [{ count }] = await trx('paas.services')
            .where({ tenant_id: tenant.id })
            .count<{ count: string }[]>('* as count');
          const limit = tenant.max_services ?? config.PAAS_MAX_SERVICES_PER_TENANT;
          if (Number(count) >= limit) throw new Invalid('Tenant has reached maximum number of services');
          const row = await Service.query(trx).insertAndFetch({
            id: randomUUID(),
            tenant_id: tenant.id,
            created_by: caller.user.id,
            template_id: template?.id ?? null,
            name: body.name,
            type,
            description: body.description,
            config: resolved.config,
            secrets: resolved.secrets,
            health_check: resolved.healthCheck,
            status: 'stopped',
          });
          await audit(trx, {
            actor: caller.user.username,
            action: 'service.create',
            target: `service:${row.id}`,
            outcome: 'success',
            detail: { type, template: template?.name ?? null, image: resolved.config.image },
          });
          return row;
        })
        .catch((err) => {
          if (isDuplicateType(err)) throw new Invalid(ALREADY_EXISTS, 'type');
          throw err;
        });
      return serviceView(service, caller);
    },

    async list(caller: PaasCaller, query: { limit: number; offset: number }) {
      const [services, total] = await Promise.all([
        visibleServices(db, caller)
          .orderBy('created_at')
          .orderBy('id')
          .limit(query.limit)
          .offset(query.offset),
        visibleServices(db, caller).resultSize(),
      ]);
      // The latest few deployments of each listed service, in one query.
      const deployments: Pick<Deployment, keyof DeploymentRow>[] = services.length
        ? await db
            .from(
              db('paas.deployments')
                .select(
                  '*',
                  db.raw('row_number() over (partition by service_id order by created_at desc) as n'),
                )
                .whereIn(
                  'service_id',
                  services.map((s) => s.id),
                )
                .as('d'),
            )
            .where('n', '<=', DEPLOYMENTS_LISTED)
            .orderBy('created_at', 'desc')
        : [];
      return {
        services: services.map((s) => ({
          id: s.id,
          name: s.name,
          type: s.type,
          status: s.status,
          description: s.description,
          tenant_id: s.tenant_id,
          created_by: s.created_by,
          created_at: s.created_at.toISOString(),
          updated_at: s.updated_at.toISOString(),
          deployments: deployments.filter((d) => d.service_id === s.id).map(deploymentSummary),
        })),
        total,
      };
    },

    async get(caller: PaasCaller, id: string) {
      return serviceView(await findService(db, caller, id), caller);
    },

    /**
     * A stopped (or failed) service: its row changes. A running one whose config changes is also
     * redeployed (a new deployment, the old one removed once the new one is healthy). While a
     * deployment, stop or delete is under way the service cannot change.
     */
    async update(
      caller: PaasCaller,
      id: string,
      body: { name?: string; type?: string; description?: string; config?: ConfigInput },
    ) {
      const { service, afterCommit } = await db.transaction(async (trx) => {
        const current = await findService(trx, caller, id, { lock: true });
        if (body.type !== undefined && body.type !== current.type)
          throw new Invalid(
            `type: cannot change (is "${current.type}"); delete the service and create another`,
            'type',
          );
        refuseWhileBusy(current);
        let next = { config: current.config, secrets: current.secrets, health_check: current.health_check };
        if (body.config) {
          const template = current.template_id
            ? await Template.query(trx).findById(current.template_id)
            : null;
          const resolved = resolveConfig(
            {
              config: current.config,
              variables: template?.variables ?? {},
              health: template ? { image: template.config.image, check: template.health_check } : null,
              secrets: current.secrets,
            },
            body.config,
            generatePassword,
          );
          await checkPlaceable(resolved);
          next = { config: resolved.config, secrets: resolved.secrets, health_check: resolved.healthCheck };
        }
        const configChanged = !isDeepStrictEqual(next.config, current.config);
        const updated = await Service.query(trx).patchAndFetchById(current.id, {
          ...(body.name !== undefined && { name: body.name }),
          ...(body.description !== undefined && { description: body.description }),
          ...next,
          updated_at: new Date(),
        });
        await audit(trx, {
          actor: caller.user.username,
          action: 'service.update',
          target: `service:${current.id}`,
          outcome: 'success',
          detail: { config_changed: configChanged, redeploy: configChanged && current.status === 'running' },
        });
        if (configChanged && current.status === 'running') {
          const redeploy = await starts.redeployService(trx, { service: updated, caller });
          return { service: updated, afterCommit: redeploy.afterCommit };
        }
        return { service: updated, afterCommit: undefined };
      });
      await afterCommit?.();
      const fresh = (await Service.query(db).findById(service.id)) ?? service;
      const { created_at: _c, ...view } = serviceView(fresh, caller);
      return view;
    },

    /**
     * A service never deployed goes at once; one that was (containers, a volume, a network may
     * exist) is marked `deleting` and its removal runs as a workflow, which also ends a deployment
     * in progress: it disappears from GET /services when that ends. A second delete of a service
     * already `deleting` answers the same; a service `stopping` is refused until it has stopped.
     */
    async remove(caller: PaasCaller, id: string) {
      const afterCommit = await db.transaction(async (trx) => {
        const service = await findService(trx, caller, id, { lock: true });
        if (service.status === 'deleting') return undefined;
        // A deployment in progress is ended by the delete (deleteService); a stop is let finish.
        if (service.status === 'stopping')
          throw new Invalid('Service is stopping; try again once it has stopped');
        const deployed = await Deployment.query(trx).findOne({ service_id: service.id });
        await audit(trx, {
          actor: caller.user.username,
          action: 'service.delete',
          target: `service:${service.id}`,
          outcome: 'success',
          detail: { deployed: Boolean(deployed) },
        });
        if (!deployed) {
          await Service.query(trx).deleteById(service.id);
          return undefined;
        }
        return (await starts.deleteService(trx, { service, caller })).afterCommit;
      });
      await afterCommit?.();
      return { message: 'Service deleted successfully' };
    },
  };
}
export type ServiceService = ReturnType<typeof createServiceService>;

/** A service under a deployment, stop or delete cannot change until that ends (each has a deadline). */
function refuseWhileBusy(service: Service) {
  if (service.status === 'deploying') throw new Invalid('Service deployment already in progress');
  if (service.status === 'stopping') throw new Invalid('Service is stopping; try again once it has stopped');
  if (service.status === 'deleting') throw new Invalid('Service is being deleted');
}
