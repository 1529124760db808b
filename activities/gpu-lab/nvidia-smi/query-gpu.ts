import { cell, int, num } from './values';

/** Property names nvidia-smi accepts under two spellings, mapped to one. */
const ALIASES: Record<string, string> = {
  gpu_uuid: 'uuid',
  gpu_name: 'name',
  gpu_bus_id: 'pci.bus_id',
  gpu_serial: 'serial',
};
const canonical = (name: string) => {
  const bare = name.trim().replace(/\s*\[[^\]]*\]$/, ''); // "memory.total [MiB]" → "memory.total"
  return ALIASES[bare] ?? bare;
};

export type QueryRow = Record<string, string | null>;

/**
 * Parses `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]`: one record per GPU,
 * keyed by property name. With a header line, the header names the columns (so the order and set
 * of fields need not be known); without one, `fields` must. Lines whose cell count does not match
 * (a warning nvidia-smi printed first) are skipped.
 */
export function parseQueryGpu(text: string, fields?: string[]): QueryRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const first = lines[0].split(',').map(canonical);
  const wanted = fields?.map(canonical);
  const hasHeader = !wanted || first.join(',') === wanted.join(',');
  const columns = hasHeader ? first : (wanted as string[]);
  return (hasHeader ? lines.slice(1) : lines)
    .map((line) => line.split(','))
    .filter((cells) => cells.length === columns.length)
    .map((cells) => Object.fromEntries(columns.map((c, i) => [c, cell(cells[i])])));
}

/** The query `GET /gpu/discover` runs, with a header so the answer names its own columns. */
export const DISCOVER_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'temperature.gpu',
  'mig.mode.current',
  'driver_version',
  'pci.bus_id',
];

/** One discovered GPU; a property the output did not carry is null. */
export function discoveredGpu(row: QueryRow) {
  return {
    index: int(row.index),
    uuid: row.uuid ?? null,
    name: row.name ?? null,
    memoryTotalMB: num(row['memory.total']),
    memoryUsedMB: num(row['memory.used']),
    utilizationPercent: num(row['utilization.gpu']),
    temperatureC: num(row['temperature.gpu']),
    migMode: row['mig.mode.current'] ?? null,
    driverVersion: row.driver_version ?? null,
    pciBusId: row['pci.bus_id'] ?? null,
  };
}
export type DiscoveredGpu = ReturnType<typeof discoveredGpu>;

/**
 * What a container's stats ask of its GPUs (`-i <uuids>`, no header, no units): load, memory,
 * heat, power and clocks. The same fields as the recorded RTX 2080 answer in the tests.
 */
export const STATS_FIELDS = [
  'power.limit',
  'power.min_limit',
  'power.max_limit',
  'memory.total',
  'vbios_version',
  'driver_version',
  'name',
  'gpu_uuid',
  'power.draw',
  'temperature.gpu',
  'temperature.memory',
  'clocks.current.graphics',
  'clocks.sm',
  'clocks.mem',
  'utilization.gpu',
  'utilization.memory',
  'fan.speed',
  'pcie.link.width.current',
  'pstate',
];

/** One GPU's load as a container's stats report it; a value nvidia-smi did not have is null. */
export function gpuLoad(row: QueryRow) {
  return {
    uuid: row.uuid ?? null,
    name: row.name ?? null,
    utilizationPercent: num(row['utilization.gpu']),
    memoryUtilizationPercent: num(row['utilization.memory']),
    memoryTotalMB: num(row['memory.total']),
    temperatureC: num(row['temperature.gpu']),
    powerDrawW: num(row['power.draw']),
    powerLimitW: num(row['power.limit']),
    smClockMHz: num(row['clocks.sm']),
    pstate: row.pstate ?? null,
  };
}
export type GpuLoad = ReturnType<typeof gpuLoad>;
