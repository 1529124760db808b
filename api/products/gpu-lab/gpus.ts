import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { Conflict, Invalid, NotFound } from '../../../core/errors';
import { newId } from '../../../core/ids';
import type { GpuProbe } from '../../../activities/gpu-lab/nvidia-smi';
import { writeAudit } from '../../http/audit';
import type { LabCaller } from './auth';
import type { HostReader } from './host-read';
import type { Gpu } from './models';
import type { HostCandidate } from './reservations';

export type GpuStatus = 'available' | 'maintenance' | 'offline';
export interface GpuInput {
  hostId: string;
  index: number;
  uuid: string;
  kind?: string;
  model: string;
  memoryMb: number;
  migEnabled: boolean;
  status: GpuStatus;
}

/** A gpu_lab.gpus row joined with the container holding it, if any. */
type HeldGpu = Gpu & { container_id: string | null };

const view = (g: HeldGpu) => ({
  id: g.id,
  hostId: g.host_id,
  index: g.gpu_index,
  uuid: g.uuid,
  kind: g.kind,
  model: g.model,
  memoryMb: g.memory_mb,
  migEnabled: g.mig_enabled,
  // `in_use` is not stored: a container holding the device says so.
  status: g.container_id ? ('in_use' as const) : (g.status as GpuStatus),
  containerId: g.container_id ?? null,
  createdAt: new Date(g.created_at).toISOString(),
  updatedAt: new Date(g.updated_at).toISOString(),
});

const columns = (i: Partial<GpuInput>) => ({
  ...(i.hostId !== undefined && { host_id: i.hostId }),
  ...(i.index !== undefined && { gpu_index: i.index }),
  ...(i.uuid !== undefined && { uuid: i.uuid }),
  ...(i.kind !== undefined && { kind: i.kind }),
  ...(i.model !== undefined && { model: i.model }),
  ...(i.memoryMb !== undefined && { memory_mb: i.memoryMb }),
  ...(i.migEnabled !== undefined && { mig_enabled: i.migEnabled }),
  ...(i.status !== undefined && { status: i.status }),
});

/** A duplicate UUID, or a second whole GPU at a host's index, is a 409 naming the field. */
function duplicate(err: unknown): never {
  const constraint = (err as { constraint?: string }).constraint ?? '';
  if (constraint === 'gpus_uuid_unique')
    throw new Conflict('uuid: a device with this UUID is already in the inventory', 'uuid');
  if (constraint === 'gpus_host_index_unique')
    throw new Conflict('index: this host already has a GPU at this index', 'index');
  throw err;
}

/** The inventory's rows with the container holding each, if any. */
const withHolder = (db: Knex) =>
  db('gpu_lab.gpus as g')
    .leftJoin('gpu_lab.container_devices as d', function holder() {
      this.on('d.host_id', 'g.host_id').andOn('d.device_uuid', 'g.uuid');
    })
    .select('g.*', 'd.container_id');

/**
 * The devices of `kind` (any kind when absent) each host offers containers, in index order.
 * Read under a share lock inside the creating transaction: an admin removing or retiring one
 * waits until the reservation is committed, and then sees it held.
 */
export async function gpuCandidates(
  trx: Knex.Transaction,
  hosts: string[],
  kind: string | undefined,
): Promise<HostCandidate[]> {
  const rows: { host_id: string; uuid: string }[] = await trx('gpu_lab.gpus')
    .whereIn('host_id', hosts)
    .where({ status: 'available' })
    .modify((q) => kind && q.whereRaw('lower(kind) = lower(?)', [kind]))
    .orderBy(['gpu_index', 'uuid'])
    .forShare()
    .select('host_id', 'uuid');
  return hosts.map((hostId) => ({
    hostId,
    devices: rows.filter((r) => r.host_id === hostId).map((r) => r.uuid),
  }));
}

/**
 * The GPU inventory admins keep (what containers can be given), and what nvidia-smi says on a
 * host (discovery, MIG, topology) to fill it from. Every write is audited.
 */
export function createGpuService(deps: { db: Knex; config: Config; readFromHost: HostReader }) {
  const { db, config, readFromHost } = deps;
  const hosts = config.GPULAB_HOSTS ?? [config.HOST_ID];
  const knownHost = (hostId: string) => {
    if (!hosts.includes(hostId))
      throw new Invalid(
        `hostId: ${hostId} is not a gpu-lab host (GPULAB_HOSTS: ${hosts.join(', ')})`,
        'hostId',
      );
    return hostId;
  };
  const audit = (
    trx: Knex,
    caller: LabCaller,
    ip: string,
    action: string,
    id: string,
    detail?: Record<string, unknown>,
  ) =>
    writeAudit(trx, 'gpu-lab', {
      actor: caller.user.email,
      action,
      target: `gpu:${id}`,
      ip,
      outcome: 'success',
      detail,
    });

  /** The device, locked for the change, and the container holding it (if any). */
  async function locked(trx: Knex.Transaction, id: string) {
    const gpu = await trx('gpu_lab.gpus').where({ id }).forUpdate().first();
    if (!gpu) throw new NotFound(`gpu ${id}`);
    const holder = await trx('gpu_lab.container_devices')
      .where({ host_id: gpu.host_id, device_uuid: gpu.uuid })
      .first();
    return { gpu, holder: holder?.container_id as string | undefined };
  }

  return {
    async create(caller: LabCaller, input: GpuInput, ip: string) {
      knownHost(input.hostId);
      const row = await db
        .transaction(async (trx) => {
          const [row] = await trx('gpu_lab.gpus')
            .insert({ id: newId('gpu'), ...columns({ ...input, kind: input.kind ?? input.model }) })
            .returning('*');
          await audit(trx, caller, ip, 'gpu.create', row.id, {
            hostId: row.host_id,
            uuid: row.uuid,
            kind: row.kind,
          });
          return row;
        })
        .catch(duplicate);
      return { gpu: view(row) };
    },

    async list(q: {
      hostId?: string;
      kind?: string;
      status?: GpuStatus | 'in_use';
      limit: number;
      offset: number;
    }) {
      const base = withHolder(db).modify((b) => {
        if (q.hostId) b.where('g.host_id', q.hostId);
        if (q.kind) b.whereRaw('lower(g.kind) = lower(?)', [q.kind]);
        if (q.status === 'in_use') b.whereNotNull('d.container_id');
        else if (q.status) b.where('g.status', q.status).whereNull('d.container_id');
      });
      const [rows, [{ n }]] = await Promise.all([
        base.clone().orderBy(['g.host_id', 'g.gpu_index', 'g.uuid']).limit(q.limit).offset(q.offset),
        base.clone().clearSelect().count('* as n'),
      ]);
      return { gpus: rows.map(view), total: Number(n) };
    },

    /** A device a container holds keeps its host and UUID (the container runs on them) until it is released. */
    async update(caller: LabCaller, id: string, input: Partial<GpuInput>, ip: string) {
      if (input.hostId !== undefined) knownHost(input.hostId);
      const row = await db
        .transaction(async (trx) => {
          const { gpu, holder } = await locked(trx, id);
          const moves =
            (input.hostId !== undefined && input.hostId !== gpu.host_id) ||
            (input.uuid !== undefined && input.uuid !== gpu.uuid);
          if (holder && moves)
            throw new Conflict(
              `container ${holder} holds this device; its host and UUID stay until it is released`,
            );
          await trx('gpu_lab.gpus')
            .where({ id })
            .update({ ...columns(input), updated_at: trx.fn.now() });
          await audit(trx, caller, ip, 'gpu.update', id, { fields: Object.keys(input) });
          return withHolder(trx).where('g.id', id).first();
        })
        .catch(duplicate);
      return { gpu: view(row) };
    },

    async remove(caller: LabCaller, id: string, ip: string) {
      await db.transaction(async (trx) => {
        const { holder } = await locked(trx, id);
        if (holder)
          throw new Conflict(
            `container ${holder} holds this device; delete the container (or set the GPU to maintenance) first`,
          );
        await trx('gpu_lab.gpus').where({ id }).delete();
        await audit(trx, caller, ip, 'gpu.delete', id);
      });
      return { deleted: id };
    },

    /** Runs the probe's nvidia-smi on the host (its worker parses the output there). */
    probe(probe: GpuProbe, hostId = config.HOST_ID) {
      return readFromHost(knownHost(hostId), { kind: 'gpus', probe });
    },
  };
}
export type GpuService = ReturnType<typeof createGpuService>;
