import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../core/config';
import { Invalid } from '../../../core/errors';
import { createHostReaderFor } from '../../../core/host-read';
import { createJob, recordJobStart, startJobWorkflow, type Job } from '../../../core/jobs';
import type { Logger } from '../../../core/logger';
import { CONTROL_QUEUE, hostQueue } from '../../../core/queues';
import { createSecretBox } from '../../../core/secret-box';
import type { Temporal } from '../../../core/temporal';
import type { WorkflowName } from '../../../core/workflow-starts';
import type {
  PaasContainerRef,
  PaasDeployInput,
  PaasHealthCheck,
  PaasHostRead,
} from '../../../types/paas-deployments';
import { writeAudit } from '../../http/audit';
import type { PaasCaller } from './auth';
import { Deployment, type Service } from './models';
import { findService } from './service-access';

/*
 * Deploying services: start, redeploy (a running service's new config), stop, restart, delete, and
 * the reads from the engine that runs one (logs, metrics). Each change locks the service row,
 * checks its state, records its rows, job and workflow start (the outbox) in one transaction, and
 * starts the workflow after the commit. The workflows (workflows/paas/) end the job and say how it
 * went on the deployment and the service.
 */

const IN_PROGRESS = ['pending', 'in_progress'];
const ALREADY_DEPLOYING = 'Service deployment already in progress';
const NOT_RUNNING = 'Service is not running';

/** The start answer's deployment, as paas.md shows it. */
export const deploymentView = (d: Deployment) => ({
  id: d.id,
  service_id: d.service_id,
  status: d.status,
  nomad_job_id: d.nomad_job_id,
  deployed_by: d.deployed_by,
  created_at: d.created_at.toISOString(),
});

/** Docker's name for a deployment's container; the service's network and data volume. */
export const containerName = (deploymentId: string) => `paas-${deploymentId}`;
export const networkName = (serviceId: string) => `paas-svc-${serviceId}`;
export const volumeName = (serviceId: string) => `paas-svc-${serviceId}-data`;

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

export function createDeploymentStarts(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  logger: Logger;
}) {
  const { db, config, temporal } = deps;
  const secrets = createSecretBox(config.DERMAGA_SECRET_KEY);
  const hosts = config.PAAS_HOSTS ?? [config.HOST_ID];
  const readFromHost = createHostReaderFor<PaasHostRead>(temporal, {
    workflowType: 'paasReadHost' satisfies WorkflowName,
    product: 'paas',
    statusByType: { container_gone: 400 },
  });

  /** The deployment that runs the service now (completed), if any. */
  const runningDeployment = (q: Knex | Knex.Transaction, serviceId: string) =>
    Deployment.query(q).findOne({ service_id: serviceId, status: 'completed' });

  const refOf = (d: Deployment): PaasContainerRef => ({
    deploymentId: d.id,
    serviceId: d.service_id,
    name: containerName(d.id),
    hostQueue: hostQueue(d.host_id as string),
  });

  const healthCheckOf = (s: Service): PaasHealthCheck | null =>
    (s as Service & { health_check?: PaasHealthCheck | null }).health_check ?? null;

  async function assertNoneInProgress(trx: Knex.Transaction, service: Service) {
    const inProgress = await Deployment.query(trx)
      .where({ service_id: service.id })
      .whereIn('status', IN_PROGRESS)
      .first();
    if (inProgress || service.status === 'deploying') throw new Invalid(ALREADY_DEPLOYING);
    if (service.status === 'stopping' || service.status === 'deleting')
      throw new Invalid(`Service is ${service.status}`);
  }

  async function newJob(
    trx: Knex.Transaction,
    caller: PaasCaller,
    service: Service,
    type: string,
    workflowId: string,
  ) {
    return createJob(trx, {
      product: 'paas',
      type,
      target: { type: 'service', id: service.id },
      workflowId,
      actor: caller.user.username,
    });
  }

  const audit = (trx: Knex.Transaction, caller: PaasCaller, action: string, service: Service, detail = {}) =>
    writeAudit(trx, 'paas', {
      actor: caller.user.username,
      action,
      target: `service:${service.id}`,
      outcome: 'success',
      detail,
    });

  const afterCommitOf = (job: Job, what: string) => () =>
    startJobWorkflow(
      db,
      temporal,
      job,
      `${what} is recorded (job ${job.id}) and starts once Temporal answers; do not repeat the request`,
    );

  /** Records a deployment of the service's current config, its job and its workflow start. */
  async function recordDeployment(
    trx: Knex.Transaction,
    service: Service,
    caller: PaasCaller,
    previous: Deployment | null,
    markDeploying: boolean,
  ) {
    const id = randomUUID();
    const workflowId = `paas-deploy-${id}`;
    const job = await newJob(
      trx,
      caller,
      service,
      markDeploying ? 'service.start' : 'service.redeploy',
      workflowId,
    );
    const deployment = await Deployment.query(trx).insertAndFetch({
      id,
      service_id: service.id,
      status: 'pending',
      nomad_job_id: `tenant-${service.type}-${Math.floor(Date.now() / 1000)}`,
      deployed_by: caller.user.id,
      config: service.config,
      job_id: job.id,
    } as Partial<Deployment>);
    // A redeploy leaves the service `running`: its old deployment serves until the new one is healthy.
    if (markDeploying)
      await trx('paas.services')
        .where({ id: service.id })
        .update({ status: 'deploying', updated_at: trx.fn.now() });
    const { config: c } = service;
    const input: PaasDeployInput = {
      deploymentId: id,
      serviceId: service.id,
      jobId: job.id,
      name: containerName(id),
      network: networkName(service.id),
      volume: volumeName(service.id),
      volumePath: config.PAAS_VOLUME_PATH,
      image: c.image,
      sealedEnv: secrets.seal(JSON.stringify(c.environment ?? {})),
      ports: c.ports ?? [],
      cpuMhz: c.resources.cpu,
      memoryMb: c.resources.memory,
      mhzPerCore: config.PAAS_MHZ_PER_CORE,
      healthCheck: healthCheckOf(service),
      hosts,
      capacity: Object.fromEntries(
        hosts.filter((h) => config.PAAS_HOST_CAPACITY[h]).map((h) => [h, config.PAAS_HOST_CAPACITY[h]]),
      ),
      previous: previous?.host_id ? refOf(previous) : null,
      keepNetworkAndVolume: Boolean(
        await Deployment.query(trx)
          .where({ service_id: service.id })
          .whereIn('status', ['completed', 'stopped', 'superseded'])
          .first(),
      ),
      pullTimeoutMs: config.PAAS_PULL_TIMEOUT_SECONDS * 1000,
      healthTimeoutMs: config.PAAS_HEALTH_TIMEOUT_SECONDS * 1000,
    };
    await recordJobStart(trx, job, {
      workflowType: 'deployService',
      taskQueue: CONTROL_QUEUE,
      args: [input],
      owner: service.tenant_id,
    });
    await audit(trx, caller, markDeploying ? 'service.start' : 'service.redeploy', service, {
      deployment: id,
      image: c.image,
    });
    return { deployment, afterCommit: afterCommitOf(job, `deployment ${id}`) };
  }

  /** The one unique index that holds whatever two requests read: a second deployment in progress fails its insert. */
  const inProgressRefusal = (err: unknown): never => {
    throw isUniqueViolation(err) ? new Invalid(ALREADY_DEPLOYING) : err;
  };

  /** A stop or restart of the running service, recorded with its job and workflow start. */
  async function recordAction(caller: PaasCaller, serviceId: string, kind: 'stop' | 'restart') {
    return db.transaction(async (trx) => {
      const service = await findService(trx, caller, serviceId, { lock: true });
      await assertNoneInProgress(trx, service);
      const running = await runningDeployment(trx, service.id);
      if (service.status !== 'running' || !running?.host_id) throw new Invalid(NOT_RUNNING);
      const job = await newJob(
        trx,
        caller,
        service,
        `service.${kind}`,
        `paas-${kind}-${service.id}-${randomUUID()}`,
      );
      await trx('paas.services')
        .where({ id: service.id })
        .update({ status: kind === 'stop' ? 'stopping' : 'deploying', updated_at: trx.fn.now() });
      await recordJobStart(trx, job, {
        workflowType: 'paasServiceAction',
        taskQueue: CONTROL_QUEUE,
        args: [
          {
            serviceId: service.id,
            jobId: job.id,
            kind,
            container: refOf(running),
            deploymentId: running.id,
            ports: running.config.ports ?? [],
            healthCheck: healthCheckOf(service),
            network: networkName(service.id),
            healthTimeoutMs: config.PAAS_HEALTH_TIMEOUT_SECONDS * 1000,
          },
        ],
        owner: service.tenant_id,
      });
      await audit(trx, caller, `service.${kind}`, service);
      return afterCommitOf(job, `the ${kind} of service ${service.id}`);
    });
  }

  /** The running deployment a read goes to: the service's host and container. */
  async function readTarget(caller: PaasCaller, serviceId: string) {
    const service = await findService(db, caller, serviceId);
    const running = await runningDeployment(db, service.id);
    if (!running?.host_id) throw new Invalid(NOT_RUNNING);
    return running;
  }
  const readTimeoutMs = config.PAAS_READ_TIMEOUT_SECONDS * 1000;

  return {
    /** POST /services/:id/start: a deployment of a stopped (or failed) service, answered at once as `pending`. */
    async startDeployment(caller: PaasCaller, serviceId: string) {
      const { deployment, afterCommit } = await db
        .transaction(async (trx) => {
          const service = await findService(trx, caller, serviceId, { lock: true });
          if (service.status === 'running') throw new Invalid('Service is already running');
          await assertNoneInProgress(trx, service);
          // A failed service may still have a container (a restart that did not come back): replaced once the new one is healthy.
          const previous = (await runningDeployment(trx, service.id)) ?? null;
          return recordDeployment(trx, service, caller, previous, true);
        })
        .catch(inProgressRefusal);
      await afterCommit();
      return { message: 'Service deployment started', deployment: deploymentView(deployment) };
    },

    /**
     * PUT /services/:id of a running service with a new config (the row in `trx` holds it, locked):
     * a new deployment; the old one keeps running until the new one is healthy.
     */
    async redeployService(
      trx: Knex.Transaction,
      { service, caller }: { service: Service; caller: PaasCaller },
    ) {
      const inProgress = await Deployment.query(trx)
        .where({ service_id: service.id })
        .whereIn('status', IN_PROGRESS)
        .first();
      if (inProgress) throw new Invalid(ALREADY_DEPLOYING);
      const previous = (await runningDeployment(trx, service.id)) ?? null;
      return recordDeployment(trx, service, caller, previous, false).catch(inProgressRefusal);
    },

    /**
     * DELETE /services/:id of a service that was deployed (the row in `trx`, locked): it becomes
     * `deleting`; a deployment in progress is ended (its workflow undoes what it made when it
     * next reports); the workflow removes its containers, network and volume on every host it ran
     * on, then the row.
     */
    async deleteService(
      trx: Knex.Transaction,
      { service, caller }: { service: Service; caller: PaasCaller },
    ) {
      await trx('paas.deployments')
        .where({ service_id: service.id })
        .whereIn('status', IN_PROGRESS)
        .update({ status: 'failed', error: 'the service was deleted', completed_at: trx.fn.now() });
      const ran: { host_id: string }[] = await trx('paas.deployments')
        .where({ service_id: service.id })
        .whereNotNull('host_id')
        .distinct('host_id');
      const hostIds = [
        ...new Set([...ran.map((r) => r.host_id), ...(service.host_id ? [service.host_id] : [])]),
      ];
      const job = await newJob(trx, caller, service, 'service.delete', `paas-delete-${service.id}`);
      await trx('paas.services')
        .where({ id: service.id })
        .update({ status: 'deleting', updated_at: trx.fn.now() });
      await recordJobStart(trx, job, {
        workflowType: 'deletePaasService',
        taskQueue: CONTROL_QUEUE,
        args: [
          {
            serviceId: service.id,
            jobId: job.id,
            network: networkName(service.id),
            volume: volumeName(service.id),
            hostQueues: hostIds.map(hostQueue),
          },
        ],
        owner: service.tenant_id,
      });
      return { afterCommit: afterCommitOf(job, `the delete of service ${service.id}`) };
    },

    /** POST /services/:id/stop: accepted; the service is `stopping`, then `stopped`. */
    async stopService(caller: PaasCaller, serviceId: string) {
      await (
        await recordAction(caller, serviceId, 'stop')
      )();
      return { message: 'Service stopped successfully' };
    },

    /** POST /services/:id/restart: accepted; the service is `deploying` until its container is healthy again, then `running`. */
    async restartService(caller: PaasCaller, serviceId: string) {
      await (
        await recordAction(caller, serviceId, 'restart')
      )();
      return { message: 'Service restarted successfully' };
    },

    /** GET /services/:id/logs: the running container's lines, each with the engine's timestamp first. */
    async logs(caller: PaasCaller, serviceId: string, q: { tail: number; since?: string }) {
      const d = await readTarget(caller, serviceId);
      const logs = await readFromHost<string[]>(
        d.host_id as string,
        { kind: 'logs', name: containerName(d.id), tail: q.tail, since: q.since },
        { timeoutMs: readTimeoutMs },
      );
      return { logs };
    },

    /** GET /services/:id/metrics: the running container's CPU (percent) and memory (bytes), its id and state, its host. */
    async metrics(caller: PaasCaller, serviceId: string) {
      const d = await readTarget(caller, serviceId);
      const metrics = await readFromHost<Record<string, unknown>>(
        d.host_id as string,
        { kind: 'metrics', name: containerName(d.id) },
        { timeoutMs: readTimeoutMs },
      );
      return { metrics };
    },
  };
}
export type DeploymentStarts = ReturnType<typeof createDeploymentStarts>;
