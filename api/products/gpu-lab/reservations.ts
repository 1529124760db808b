import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { Conflict } from '../../../core/errors';

/** A host that could take the container, with the GPU/MIG devices it has of the package's kind. */
export interface HostCandidate {
  hostId: string;
  devices: string[];
}

export interface Reservation {
  hostId: string;
  devices: string[];
  sshPort: number;
  jupyterPort: number;
}

const isUniqueViolation = (err: unknown) => err instanceof UniqueViolationError || (err as { code?: string }).code === '23505';

/**
 * Holds a host's devices and two ports for a new container, inside the caller's transaction (the
 * container row must exist in it). The first host, in the given order, with enough free devices
 * wins; within it the lowest free ports. The rows' primary keys make a double booking impossible:
 * a concurrent create that picked the same port or device fails its insert, and
 * `withReservationRetry` runs the whole transaction again against what the winner took.
 */
export async function reserve(
  trx: Knex.Transaction,
  req: { containerId: string; gpuCount: number; candidates: HostCandidate[]; ports: { from: number; to: number } },
): Promise<Reservation> {
  for (const host of req.candidates) {
    const taken = new Set(
      (await trx('gpu_lab.container_devices').where({ host_id: host.hostId }).whereIn('device_uuid', host.devices).select('device_uuid')).map((r) => r.device_uuid as string),
    );
    const free = host.devices.filter((d) => !taken.has(d));
    if (free.length < req.gpuCount) continue;
    const devices = free.slice(0, req.gpuCount);
    const used = new Set(
      (await trx('gpu_lab.container_ports').where({ host_id: host.hostId }).whereBetween('port', [req.ports.from, req.ports.to]).select('port')).map((r) => r.port as number),
    );
    const ports: number[] = [];
    for (let p = req.ports.from; p <= req.ports.to && ports.length < 2; p++) if (!used.has(p)) ports.push(p);
    if (ports.length < 2) continue;
    if (devices.length) await trx('gpu_lab.container_devices').insert(devices.map((d) => ({ host_id: host.hostId, device_uuid: d, container_id: req.containerId })));
    await trx('gpu_lab.container_ports').insert(ports.map((port) => ({ host_id: host.hostId, port, container_id: req.containerId })));
    return { hostId: host.hostId, devices, sshPort: ports[0], jupyterPort: ports[1] };
  }
  const kind = req.gpuCount ? `${req.gpuCount} free GPU${req.gpuCount > 1 ? 's' : ''} of this package's kind and two free ports` : 'two free ports';
  throw new Conflict(`no host has ${kind}; nothing was reserved`);
}

/** Runs a reserving transaction again (a few times) when a concurrent create took the same port or device first. */
export async function withReservationRetry<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await db.transaction(work);
    } catch (err) {
      if (!isUniqueViolation(err) || i >= attempts || !isReservationClash(err)) throw err;
    }
  }
}

// Only a clash on the reservation tables is retried; a duplicate container name is the caller's 409.
const isReservationClash = (err: unknown) => /container_(ports|devices)_pkey/.test(String((err as { constraint?: string }).constraint ?? (err as Error).message));
