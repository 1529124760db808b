import { NvidiaSmiParseError } from './values';

export interface Placement {
  start: number;
  size: number;
}

export interface GpuInstance {
  gpu: number;
  profile: string;
  profileId: number;
  instanceId: number;
  placement: Placement | null;
}

export interface ComputeInstance {
  gpu: number;
  gpuInstanceId: number;
  profile: string;
  profileId: number;
  instanceId: number;
  placement: Placement | null;
}

/** What nvidia-smi mig prints instead of a table when there is nothing to list. */
const NO_MIG = /No MIG-enabled devices found/i;
const NONE_FOUND = /No (GPU|compute) instances found/i;

export interface MigTable<T> {
  /** false when nvidia-smi says no GPU on the host has MIG enabled. */
  migEnabled: boolean;
  rows: T[];
}

/**
 * The data rows of an nvidia-smi box table (after its `|====|` line), each as its cells split on
 * whitespace. `title` is the table's first line, e.g. "GPU instances:".
 */
function tableRows(text: string, title: string, command: string): string[][] | null {
  if (NO_MIG.test(text) || NONE_FOUND.test(text)) return null;
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (!lines.some((l) => l.startsWith('|') && l.includes(title))) {
    throw new NvidiaSmiParseError(
      `${command}: expected a "${title}" table, got "${text.trim().split('\n')[0]?.slice(0, 120) ?? ''}"`,
    );
  }
  const start = lines.findIndex((l) => /^\|=+\|$/.test(l));
  if (start < 0) throw new NvidiaSmiParseError(`${command}: the table has no header separator`);
  return lines
    .slice(start + 1)
    .filter((l) => l.startsWith('|') && !/^\|[-=+]*\|$/.test(l))
    .map((l) =>
      l
        .replace(/^\||\|$/g, '')
        .trim()
        .split(/\s+/),
    );
}

const placement = (cell: string | undefined): Placement | null => {
  const m = /^(\d+):(\d+)$/.exec(cell ?? '');
  return m ? { start: Number(m[1]), size: Number(m[2]) } : null;
};

const integer = (cell: string | undefined, what: string, command: string) => {
  if (!/^\d+$/.test(cell ?? ''))
    throw new NvidiaSmiParseError(`${command}: ${what} "${cell}" is not a number`);
  return Number(cell);
};

/** `nvidia-smi mig -lgi`: GPU  Name  Profile ID  Instance ID  Placement Start:Size. */
export function parseGpuInstances(text: string): MigTable<GpuInstance> {
  const cmd = 'nvidia-smi mig -lgi';
  const rows = tableRows(text, 'GPU instances:', cmd);
  if (!rows) return { migEnabled: !NO_MIG.test(text), rows: [] };
  return {
    migEnabled: true,
    rows: rows.map((c) => {
      if (c[1] !== 'MIG') throw new NvidiaSmiParseError(`${cmd}: unexpected row "${c.join(' ')}"`);
      return {
        gpu: integer(c[0], 'GPU', cmd),
        profile: c[2],
        profileId: integer(c[3], 'profile ID', cmd),
        instanceId: integer(c[4], 'instance ID', cmd),
        placement: placement(c[5]),
      };
    }),
  };
}

/** `nvidia-smi mig -lci`: GPU  GPU-instance ID  Name  Profile ID  Instance ID  [Placement] (older drivers print no placement). */
export function parseComputeInstances(text: string): MigTable<ComputeInstance> {
  const cmd = 'nvidia-smi mig -lci';
  const rows = tableRows(text, 'Compute instances:', cmd);
  if (!rows) return { migEnabled: !NO_MIG.test(text), rows: [] };
  return {
    migEnabled: true,
    rows: rows.map((c) => {
      if (c[2] !== 'MIG') throw new NvidiaSmiParseError(`${cmd}: unexpected row "${c.join(' ')}"`);
      return {
        gpu: integer(c[0], 'GPU', cmd),
        gpuInstanceId: integer(c[1], 'GPU instance ID', cmd),
        profile: c[3],
        profileId: integer(c[4], 'profile ID', cmd),
        instanceId: integer(c[5], 'instance ID', cmd),
        placement: placement(c[6]),
      };
    }),
  };
}
