import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import type { LabCaller } from './auth';

/** A gpu_lab.containers row as pg returns it (numeric `cpus` as a string, timestamptz as Date). */
export interface ContainerRow {
  id: string;
  name: string;
  owner_id: string;
  host_id: string;
  image: string;
  /** numeric(6,2) */
  cpus: string;
  memory_mb: number;
  workspace: string;
  ssh_port: number;
  jupyter_port: number;
  /** Sealed with DERMAGA_SECRET_KEY. */
  jupyter_token_sealed: string;
  status: string;
  error: string | null;
  job_id: string | null;
  docker_id: string | null;
  cmd: string[] | null;
  lease_ends_at: Date | null;
  created_at: Date;
  updated_at: Date;
}
export type Row = ContainerRow;

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
