import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { Conflict, Invalid, Unavailable } from '../../../core/errors';

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

const isUniqueViolation = (err: unknown) =>
  err instanceof UniqueViolationError || (err as { code?: string }).code === '23505';

type Shortfall = { field?: 'cpus' | 'memoryMb'; message: string };
type Capacity = { cpus: number; memoryMb: number };

/**
 * Holds a host's devices, two ports, and CPUs and memory for a new container, inside the caller's
 * transaction (the container row must exist in it). The candidate hosts' capacity rows are locked
 * first (in id order, so creates never deadlock): what the host's containers hold is summed under
 * that lock, so two creates never both take the last of it. The first host, in the given order,
 * with enough of everything wins; within it the lowest free ports, skipping those the host said it
 * uses (`portsInUse`) and those quarantined after a failed bind. The ports' and devices' primary
 * keys still make a double booking impossible (`withReservationRetry` runs a clash again).
 * More than any host has at all is a 400 naming the field; more than is free now, a 409 naming it.
 */
export async function reserve(
  trx: Knex.Transaction,
  req: {
    containerId: string;
    gpuCount: number;
    cpus: number;
    memoryMb: number;
    candidates: HostCandidate[];
    ports: { from: number; to: number };
    /** Per host, ports something on it holds now (its worker's answer): skipped. */
    portsInUse?: Record<string, number[]>;
  },
): Promise<Reservation> {
  const hostIds = req.candidates.map((h) => h.hostId);
  const rows = await trx('gpu_lab.hosts').whereIn('id', hostIds).orderBy('id').forUpdate();
  const capacity = new Map<string, Capacity>(
    rows.map((h) => [h.id as string, { cpus: Number(h.cpus), memoryMb: Number(h.memory_mb) }]),
  );
  if (!capacity.size)
    throw new Unavailable(
      `the capacity of ${hostIds.join(', ')} is unknown (no worker answered and GPULAB_HOST_CAPACITY ` +
        'does not name it); nothing was reserved',
    );
  for (const field of ['cpus', 'memoryMb'] as const) {
    const most = Math.max(...[...capacity.values()].map((c) => c[field]));
    if (req[field] > most)
      throw new Invalid(`${field}: ${req[field]} is more than any host has (${most})`, field);
  }

  const shortfalls: Shortfall[] = [];
  for (const host of req.candidates) {
    const taken = new Set(
      (
        await trx('gpu_lab.container_devices')
          .where({ host_id: host.hostId })
          .whereIn('device_uuid', host.devices)
          .select('device_uuid')
      ).map((r) => r.device_uuid as string),
    );
    const free = host.devices.filter((d) => !taken.has(d));
    if (free.length < req.gpuCount) continue;
    const devices = free.slice(0, req.gpuCount);
    const used = new Set([
      ...(
        await trx('gpu_lab.container_ports')
          .where({ host_id: host.hostId })
          .whereBetween('port', [req.ports.from, req.ports.to])
          .select('port')
      ).map((r) => r.port as number),
      ...(await quarantined(trx, host.hostId, req.ports)),
      ...(req.portsInUse?.[host.hostId] ?? []),
    ]);
    const ports: number[] = [];
    for (let p = req.ports.from; p <= req.ports.to && ports.length < 2; p++) if (!used.has(p)) ports.push(p);
    if (ports.length < 2) continue;
    const short = await shortfall(trx, host.hostId, capacity.get(host.hostId), req);
    if (short) {
      shortfalls.push(short);
      continue;
    }
    const holder = { host_id: host.hostId, container_id: req.containerId };
    if (devices.length)
      await trx('gpu_lab.container_devices').insert(devices.map((d) => ({ ...holder, device_uuid: d })));
    await trx('gpu_lab.container_ports').insert(ports.map((port) => ({ ...holder, port })));
    await trx('gpu_lab.container_resources').insert({
      ...holder,
      cpus: req.cpus,
      memory_mb: req.memoryMb,
    });
    return { hostId: host.hostId, devices, sshPort: ports[0], jupyterPort: ports[1] };
  }
  const named = shortfalls.find((s) => s.field);
  if (named) throw new Conflict(`${named.message}; nothing was reserved`, named.field);
  if (shortfalls.length) throw new Unavailable(`${shortfalls[0].message}; nothing was reserved`);
  const gpus = `${req.gpuCount} free GPU${req.gpuCount > 1 ? 's' : ''} of this package's kind`;
  const kind = req.gpuCount ? `${gpus} and two free ports` : 'two free ports';
  throw new Conflict(`no host has ${kind}; nothing was reserved`);
}

/**
 * Ports of the host a container recently failed to bind (`gpu_lab.port_quarantine`, written with
 * the failed create's release): not handed out again until their time is up. Expired rows go.
 */
async function quarantined(
  trx: Knex.Transaction,
  hostId: string,
  range: { from: number; to: number },
): Promise<number[]> {
  await trx('gpu_lab.port_quarantine').where({ host_id: hostId }).where('until', '<=', trx.fn.now()).delete();
  return (
    await trx('gpu_lab.port_quarantine')
      .where({ host_id: hostId })
      .whereBetween('port', [range.from, range.to])
      .select('port')
  ).map((r) => r.port as number);
}

const round = (n: number) => Math.max(0, Math.round(n * 100) / 100);

/** Why the host cannot take the container's CPUs or memory now (its capacity row is locked), or null. */
async function shortfall(
  trx: Knex.Transaction,
  hostId: string,
  capacity: Capacity | undefined,
  req: Capacity,
): Promise<Shortfall | null> {
  if (!capacity) return { message: `host ${hostId}: its capacity is unknown (its worker does not answer)` };
  const held = await trx('gpu_lab.container_resources')
    .where({ host_id: hostId })
    .sum({ cpus: 'cpus', memoryMb: 'memory_mb' })
    .first();
  const cpus = round(capacity.cpus - Number(held?.cpus ?? 0));
  const memoryMb = capacity.memoryMb - Number(held?.memoryMb ?? 0);
  if (req.cpus > cpus)
    return {
      field: 'cpus',
      message: `cpus: no host has ${req.cpus} CPUs free (${hostId}: ${cpus} of ${capacity.cpus})`,
    };
  if (req.memoryMb > memoryMb)
    return {
      field: 'memoryMb',
      message:
        `memoryMb: no host has ${req.memoryMb} MB free ` +
        `(${hostId}: ${Math.max(0, memoryMb)} of ${capacity.memoryMb})`,
    };
  return null;
}

/** Runs a reserving transaction again (a few times) when a concurrent create took the same port or device first. */
export async function withReservationRetry<T>(
  db: Knex,
  work: (trx: Knex.Transaction) => Promise<T>,
  attempts = 8,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await db.transaction(work);
    } catch (err) {
      if (!isUniqueViolation(err) || i >= attempts || !isReservationClash(err)) throw err;
    }
  }
}

// Only a clash on the reservation tables is retried; a duplicate container name is the caller's 409.
const isReservationClash = (err: unknown) =>
  /container_(ports|devices)_pkey/.test(
    String((err as { constraint?: string }).constraint ?? (err as Error).message),
  );
