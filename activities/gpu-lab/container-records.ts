import type { Knex } from 'knex';
import { finishJob } from '../../core/jobs';

/** The database side of the container workflows: each change and its job's end in one transaction. */
export function createContainerRecordActivities({ db }: { db: Knex }) {
  const containers = (trx: Knex | Knex.Transaction) => trx('gpu_lab.containers');

  return {
    async markContainerRunning({ containerId, jobId, dockerId }: { containerId: string; jobId: string; dockerId: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx).where({ id: containerId }).update({ status: 'running', docker_id: dockerId, error: null, updated_at: trx.fn.now() });
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },

    /**
     * The row stays to say why. A create that was undone frees its ports, devices, CPUs and memory
     * (`release`); a failed delete keeps them, since the container may still hold them.
     */
    async markContainerFailed({ containerId, jobId, error, release }: { containerId: string; jobId: string; error: string; release: boolean }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx).where({ id: containerId }).update({ status: 'failed', error, updated_at: trx.fn.now() });
        if (release) {
          await trx('gpu_lab.container_ports').where({ container_id: containerId }).delete();
          await trx('gpu_lab.container_devices').where({ container_id: containerId }).delete();
          await trx('gpu_lab.container_resources').where({ container_id: containerId }).delete();
        }
        await finishJob(trx, jobId, { status: 'failed', error });
      });
    },

    /** After stop, start, restart or a password change: the state Docker reported, and the job done. */
    async markContainerState({ containerId, jobId, status }: { containerId: string; jobId: string; status: 'running' | 'stopped' }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx).where({ id: containerId }).update({ status, error: null, updated_at: trx.fn.now() });
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },

    /** An action that failed leaves the container as it was; only the job says why. */
    async failContainerJob({ jobId, error }: { jobId: string; error: string }): Promise<void> {
      await db.transaction((trx) => finishJob(trx, jobId, { status: 'failed', error }));
    },

    /**
     * What the lease workflow did: an event row, and the container's state and paid-until time.
     * `removed` is the end of the line: the row goes (its events with it), as after a delete.
     */
    async recordLeaseEvent(e: { containerId: string; kind: 'started' | 'warned' | 'expired' | 'extended' | 'resumed' | 'removed'; endsAt: string }): Promise<void> {
      await db.transaction(async (trx) => {
        if (e.kind === 'removed') {
          await containers(trx).where({ id: e.containerId }).delete();
          return;
        }
        // A container deleted while its lease ran has nothing left to record against.
        if (!(await containers(trx).where({ id: e.containerId }).first('id'))) return;
        const status = e.kind === 'expired' ? { status: 'stopped' } : e.kind === 'resumed' ? { status: 'running' } : {};
        await containers(trx).where({ id: e.containerId }).update({ ...status, lease_ends_at: e.endsAt, updated_at: trx.fn.now() });
        await trx('gpu_lab.container_events').insert({ container_id: e.containerId, kind: e.kind, detail: JSON.stringify({ ends_at: e.endsAt }) });
      });
    },

    /** The container is gone: its row goes (ports and devices with it); its jobs stay. */
    async removeContainerRecord({ containerId, jobId }: { containerId: string; jobId: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx).where({ id: containerId }).delete();
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },
  };
}
export type ContainerRecordActivities = ReturnType<typeof createContainerRecordActivities>;
