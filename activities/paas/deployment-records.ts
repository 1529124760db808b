import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { finishJob } from '../../core/jobs';

/** A host's capacity in Nomad's units: cpu in MHz, memory in MB. */
export interface PaasHostCapacity {
  cpuMhz: number;
  memoryMb: number;
}

/** Deployments that hold their host's resources: being made, or running. */
const HOLDING = ['in_progress', 'completed'];

/** A host's capacity as configured or as its engine answered, or why it did not. */
export type HostAnswer =
  ({ hostId: string; source: 'config' | 'engine' } & PaasHostCapacity) | { hostId: string; error: string };

/**
 * The database side of the paas workflows: each change of a deployment or service, and its job's
 * end, in one transaction.
 */
export function createDeploymentRecordActivities({ db }: { db: Knex }) {
  return {
    /** pending → in_progress (started now); false when it is no longer pending (its service was deleted meanwhile). */
    async beginPaasDeployment({ deploymentId }: { deploymentId: string }): Promise<boolean> {
      const n = await db('paas.deployments')
        .where({ id: deploymentId })
        .whereIn('status', ['pending', 'in_progress'])
        .update({ status: 'in_progress', started_at: db.raw('coalesce(started_at, now())') });
      return n > 0;
    },

    /**
     * Picks the host with the most room for the deployment's cpu and memory, and holds it (the
     * deployment's host_id). Hosts are locked while counting, so two deployments never both take
     * the last room. Each host's capacity: configured, else what its engine answered, else the
     * last one known. None with room: failed, not retried, naming what was asked.
     */
    async reservePaasHost({
      deploymentId,
      cpuMhz,
      memoryMb,
      engines,
    }: {
      deploymentId: string;
      cpuMhz: number;
      memoryMb: number;
      engines: HostAnswer[];
    }): Promise<string> {
      return db.transaction(async (trx) => {
        for (const e of engines)
          if (!('error' in e))
            await trx('paas.hosts')
              .insert({
                id: e.hostId,
                cpu_mhz: e.cpuMhz,
                memory_mb: e.memoryMb,
                source: e.source,
                updated_at: trx.fn.now(),
              })
              .onConflict('id')
              .merge();
        const hosts: { id: string; cpu_mhz: number; memory_mb: number }[] = await trx('paas.hosts')
          .whereIn(
            'id',
            engines.map((e) => e.hostId),
          )
          .orderBy('id')
          .forUpdate();
        const used: { host_id: string; cpu: string; memory: string }[] = await trx('paas.deployments')
          .whereIn(
            'host_id',
            hosts.map((h) => h.id),
          )
          .whereIn('status', HOLDING)
          .whereNot({ id: deploymentId })
          .groupBy('host_id')
          .select(
            'host_id',
            trx.raw(`coalesce(sum((config->'resources'->>'cpu')::numeric), 0) as cpu`),
            trx.raw(`coalesce(sum((config->'resources'->>'memory')::numeric), 0) as memory`),
          );
        const free = hosts
          .map((h) => {
            const u = used.find((x) => x.host_id === h.id);
            return {
              id: h.id,
              cpu: h.cpu_mhz - Number(u?.cpu ?? 0),
              memory: h.memory_mb - Number(u?.memory ?? 0),
            };
          })
          .filter((h) => h.cpu >= cpuMhz && h.memory >= memoryMb)
          .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory);
        if (!free.length) {
          const unanswered = engines.filter(
            (e): e is { hostId: string; error: string } =>
              'error' in e && !hosts.some((h) => h.id === e.hostId),
          );
          throw ApplicationFailure.create({
            type: 'no_host_capacity',
            nonRetryable: true,
            message:
              `no host has room for cpu ${cpuMhz} MHz and memory ${memoryMb} MB` +
              (unanswered.length
                ? ` (not answering: ${unanswered.map((e) => `${e.hostId}: ${e.error}`).join('; ')})`
                : ''),
          });
        }
        await trx('paas.deployments').where({ id: deploymentId }).update({ host_id: free[0].id });
        return free[0].id;
      });
    },

    /**
     * The deployment runs and is healthy: completed, the service running on its host, the one it
     * replaces superseded. False when the deployment was ended meanwhile (its service is being
     * deleted): the workflow then undoes what it made.
     */
    async completePaasDeployment(d: {
      deploymentId: string;
      serviceId: string;
      jobId: string;
      containerId: string;
      network: string;
      volume: string;
      ports: Record<string, number>;
    }): Promise<boolean> {
      return db.transaction(async (trx) => {
        const [row] = await trx('paas.deployments')
          .where({ id: d.deploymentId, status: 'in_progress' })
          .update({
            status: 'completed',
            container_id: d.containerId,
            network: d.network,
            volume: d.volume,
            ports: JSON.stringify(d.ports),
            error: null,
            completed_at: trx.fn.now(),
          })
          .returning('host_id');
        if (!row) {
          await finishJob(trx, d.jobId, {
            status: 'failed',
            error: 'the service was deleted during its deployment',
          });
          return false;
        }
        await trx('paas.deployments')
          .where({ service_id: d.serviceId, status: 'completed' })
          .whereNot({ id: d.deploymentId })
          .update({ status: 'superseded' });
        await trx('paas.services')
          .where({ id: d.serviceId })
          .whereNot({ status: 'deleting' })
          .update({ status: 'running', host_id: row.host_id, updated_at: trx.fn.now() });
        await finishJob(trx, d.jobId, { status: 'succeeded' });
        return true;
      });
    },

    /**
     * The deployment failed (what it made is undone): why, and the service as it now is (`running`:
     * the previous one still serves). True when the service is being (or has been) deleted: its
     * network and volume are then the workflow's to remove too, as it may have made them again.
     */
    async failPaasDeployment(d: {
      deploymentId: string;
      serviceId: string;
      jobId: string;
      error: string;
      serviceStatus: 'running' | 'failed';
    }): Promise<boolean> {
      return db.transaction(async (trx) => {
        await trx('paas.deployments')
          .where({ id: d.deploymentId })
          .whereIn('status', ['pending', 'in_progress'])
          .update({ status: 'failed', error: d.error.slice(0, 2000), completed_at: trx.fn.now() });
        await trx('paas.services')
          .where({ id: d.serviceId })
          .whereNot({ status: 'deleting' })
          .update({ status: d.serviceStatus, updated_at: trx.fn.now() });
        await finishJob(trx, d.jobId, { status: 'failed', error: d.error });
        const service = await trx('paas.services').where({ id: d.serviceId }).first('status');
        return !service || service.status === 'deleting';
      });
    },

    /**
     * After stop or restart: the service's state as it now is; a stop also ends its deployment
     * (`stopped`, no longer holding its host's room).
     */
    async markPaasServiceState(d: {
      serviceId: string;
      jobId: string;
      status: 'running' | 'stopped' | 'failed';
      stoppedDeploymentId?: string;
      error?: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        if (d.stoppedDeploymentId)
          await trx('paas.deployments')
            .where({ id: d.stoppedDeploymentId, status: 'completed' })
            .update({ status: 'stopped' });
        await trx('paas.services')
          .where({ id: d.serviceId })
          .whereNot({ status: 'deleting' })
          .update({ status: d.status, updated_at: trx.fn.now() });
        await finishJob(
          trx,
          d.jobId,
          d.error ? { status: 'failed', error: d.error } : { status: 'succeeded' },
        );
      });
    },

    /** Everything of the service is gone from its hosts: its row goes (its deployments with it). */
    async removePaasServiceRecord({ serviceId, jobId }: { serviceId: string; jobId: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('paas.services').where({ id: serviceId }).delete();
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },

    /** A delete that failed: the service stays `failed` with its job saying why, so a second delete can try again. */
    async failPaasDelete({
      serviceId,
      jobId,
      error,
    }: {
      serviceId: string;
      jobId: string;
      error: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('paas.services')
          .where({ id: serviceId })
          .update({ status: 'failed', updated_at: trx.fn.now() });
        await finishJob(trx, jobId, { status: 'failed', error });
      });
    },
  };
}
export type DeploymentRecordActivities = ReturnType<typeof createDeploymentRecordActivities>;
