import type { Knex } from 'knex';
import { finishJob } from '../../core/jobs';

const BIND_REFUSED = /address already in use|port is already allocated/i;

/**
 * The host ports a create's error says could not be bound (Docker's "listen tcp4 127.0.0.1:P:
 * bind: address already in use", "Bind for 0.0.0.0:P failed: port is already allocated", "failed
 * to bind host port for 0.0.0.0:P:…"): those of `ports` it names, or all of them when it says a
 * bind failed without naming one. Any other error names none.
 */
export function portsRefused(error: string, ports: number[]): number[] {
  if (!BIND_REFUSED.test(error)) return [];
  const named = ports.filter((p) => new RegExp(`:${p}(?!\\d)`).test(error));
  return named.length ? named : ports;
}

/**
 * The database side of the container workflows: each change and its job's end in one transaction.
 * `quarantineSeconds`: how long a port a container failed to bind is not handed out again.
 */
export function createContainerRecordActivities({
  db,
  quarantineSeconds = 600,
}: {
  db: Knex;
  quarantineSeconds?: number;
}) {
  const containers = (trx: Knex | Knex.Transaction) => trx('gpu_lab.containers');

  return {
    async markContainerRunning({
      containerId,
      jobId,
      dockerId,
    }: {
      containerId: string;
      jobId: string;
      dockerId: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx)
          .where({ id: containerId })
          .update({ status: 'running', docker_id: dockerId, error: null, updated_at: trx.fn.now() });
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },

    /**
     * The row stays to say why. A create that was undone frees its ports, devices, CPUs and memory
     * (`release`); a failed delete keeps them, since the container may still hold them. A port the
     * container failed to bind (something else on the host holds it) goes from held to quarantined
     * in this same transaction, so no create in between sees it free.
     */
    async markContainerFailed({
      containerId,
      jobId,
      error,
      release,
    }: {
      containerId: string;
      jobId: string;
      error: string;
      release: boolean;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx)
          .where({ id: containerId })
          .update({ status: 'failed', error, updated_at: trx.fn.now() });
        if (release) {
          const held: { host_id: string; port: number }[] = await trx('gpu_lab.container_ports')
            .where({ container_id: containerId })
            .delete()
            .returning(['host_id', 'port']);
          const refused = portsRefused(
            error,
            held.map((h) => h.port),
          );
          if (refused.length && quarantineSeconds > 0)
            await trx('gpu_lab.port_quarantine')
              .insert(
                held
                  .filter((h) => refused.includes(h.port))
                  .map((h) => ({
                    host_id: h.host_id,
                    port: h.port,
                    until: trx.raw(`now() + make_interval(secs => ?)`, [quarantineSeconds]),
                    reason: error.slice(0, 500),
                  })),
              )
              .onConflict(['host_id', 'port'])
              .merge();
          await trx('gpu_lab.container_devices').where({ container_id: containerId }).delete();
          await trx('gpu_lab.container_resources').where({ container_id: containerId }).delete();
        }
        await finishJob(trx, jobId, { status: 'failed', error });
      });
    },

    /** After stop, start, restart or a password change: the state Docker reported, and the job done. */
    async markContainerState({
      containerId,
      jobId,
      status,
    }: {
      containerId: string;
      jobId: string;
      status: 'running' | 'stopped';
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx)
          .where({ id: containerId })
          .update({ status, error: null, updated_at: trx.fn.now() });
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
    async recordLeaseEvent(e: {
      containerId: string;
      kind: 'started' | 'warned' | 'expired' | 'extended' | 'resumed' | 'removed';
      endsAt: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        if (e.kind === 'removed') {
          await containers(trx).where({ id: e.containerId }).delete();
          return;
        }
        // A container deleted while its lease ran has nothing left to record against.
        if (!(await containers(trx).where({ id: e.containerId }).first('id'))) return;
        const status =
          e.kind === 'expired' ? { status: 'stopped' } : e.kind === 'resumed' ? { status: 'running' } : {};
        await containers(trx)
          .where({ id: e.containerId })
          .update({ ...status, lease_ends_at: e.endsAt, updated_at: trx.fn.now() });
        await trx('gpu_lab.container_events').insert({
          container_id: e.containerId,
          kind: e.kind,
          detail: JSON.stringify({ ends_at: e.endsAt }),
        });
      });
    },

    /** The container is gone: its row goes (ports and devices with it); its jobs stay. */
    async removeContainerRecord({
      containerId,
      jobId,
    }: {
      containerId: string;
      jobId: string;
    }): Promise<void> {
      await db.transaction(async (trx) => {
        await containers(trx).where({ id: containerId }).delete();
        await finishJob(trx, jobId, { status: 'succeeded' });
      });
    },
  };
}
export type ContainerRecordActivities = ReturnType<typeof createContainerRecordActivities>;
