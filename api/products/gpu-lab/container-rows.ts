import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import type { LabCaller } from './auth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a gpu_lab.containers row
export type Row = any;

export const view = (c: Row, devices: string[] = []) => ({
  id: c.id,
  name: c.name,
  userId: c.owner_id,
  hostId: c.host_id,
  image: c.image,
  cpus: Number(c.cpus),
  memoryMb: c.memory_mb,
  gpus: devices,
  sshPort: c.ssh_port,
  jupyterPort: c.jupyter_port,
  status: c.status,
  error: c.error,
  jobId: c.job_id,
  leaseEndsAt: c.lease_ends_at ? new Date(c.lease_ends_at).toISOString() : null,
  createdAt: new Date(c.created_at).toISOString(),
});

/** A caller's container by name (404 for someone else's, unless admin), and a container's GPU devices. */
export function containerRows(db: Knex) {
  async function visible(caller: LabCaller, name: string): Promise<Row> {
    const row = await db('gpu_lab.containers').where({ name }).first();
    if (!row || (caller.user.role !== 'admin' && row.owner_id !== caller.user.id))
      throw new NotFound(`container ${name}`);
    return row;
  }
  const devicesOf = async (id: string, q: Knex = db) =>
    (await q('gpu_lab.container_devices').where({ container_id: id }).select('device_uuid')).map(
      (d) => d.device_uuid as string,
    );

  return { visible, devicesOf };
}
