import { NvidiaSmiParseError, cell, stripAnsi } from './values';

/** Header cells of `topo -m` that are words with spaces, not devices. */
const AFFINITY_COLUMNS: [string, 'cpu' | 'numa' | 'gpuNumaId'][] = [
  ['CPU Affinity', 'cpu'],
  ['NUMA Affinity', 'numa'],
  ['GPU NUMA ID', 'gpuNumaId'],
];

export interface Topology {
  /** Every row and column device: GPU0.., NIC0.. or mlx5_0.. on older drivers. */
  devices: string[];
  /** matrix[a][b]: how a reaches b: X (itself), NV# (# bonded NVLinks), PIX, PXB, PHB, NODE, SYS. */
  matrix: Record<string, Record<string, string>>;
  affinity: Record<string, { cpu: string | null; numa: string | null; gpuNumaId: string | null }>;
  /** NIC0 → mlx5_0, from the "NIC Legend" newer drivers print. */
  nics: Record<string, string>;
  legend: Record<string, string>;
}

/**
 * Parses `nvidia-smi topo -m`, whether its columns are separated by tabs (as printed) or by
 * runs of spaces (as copied from a terminal), with or without colour codes.
 */
export function parseTopology(raw: string): Topology {
  const lines = stripAnsi(raw).split(/\r?\n/);
  const headerAt = lines.findIndex((l) => /^\s/.test(l) && /\bGPU0\b/.test(l));
  if (headerAt < 0)
    throw new NvidiaSmiParseError(
      `nvidia-smi topo -m: no GPU0 column header in "${raw.trim().split('\n')[0]?.slice(0, 120) ?? ''}"`,
    );

  let header = lines[headerAt];
  for (const [name] of AFFINITY_COLUMNS) header = header.replace(name, name.replace(/ /g, '_'));
  const headerCells = header.trim().split(/\s+/);
  const affinityNames = AFFINITY_COLUMNS.map(([name]) => name.replace(/ /g, '_'));
  const devices = headerCells.filter((c) => !affinityNames.includes(c));
  const affinityCols = headerCells
    .filter((c) => affinityNames.includes(c))
    .map((c) => AFFINITY_COLUMNS[affinityNames.indexOf(c)][1]);

  const topo: Topology = { devices, matrix: {}, affinity: {}, nics: {}, legend: {} };
  let i = headerAt + 1;
  for (; i < lines.length && lines[i].trim() !== '' && !/^\s*(NIC )?Legend:/.test(lines[i]); i++) {
    const [device, ...cells] = lines[i].trim().split(/\s+/);
    if (!devices.includes(device))
      throw new NvidiaSmiParseError(`nvidia-smi topo -m: row "${device}" is not a column device`);
    if (cells.length < devices.length)
      throw new NvidiaSmiParseError(
        `nvidia-smi topo -m: row ${device} has ${cells.length} cells, expected ${devices.length}`,
      );
    topo.matrix[device] = Object.fromEntries(devices.map((d, j) => [d, cells[j]]));
    const rest = cells.slice(devices.length);
    if (rest.length > affinityCols.length)
      throw new NvidiaSmiParseError(
        `nvidia-smi topo -m: row ${device} has ${rest.length} affinity cells, expected ${affinityCols.length}`,
      );
    if (rest.length) {
      const a = { cpu: null as string | null, numa: null as string | null, gpuNumaId: null as string | null };
      affinityCols.forEach((col, j) => (a[col] = cell(rest[j])));
      topo.affinity[device] = a;
    }
  }
  if (Object.keys(topo.matrix).length === 0)
    throw new NvidiaSmiParseError('nvidia-smi topo -m: the matrix has no rows');

  let section: 'legend' | 'nics' | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*NIC Legend:/.test(line)) section = 'nics';
    else if (/^\s*Legend:/.test(line)) section = 'legend';
    else if (section === 'legend') {
      const m = /^\s+(\S+)\s+=\s+(.+?)\s*$/.exec(line);
      if (m) topo.legend[m[1]] = m[2];
    } else if (section === 'nics') {
      const m = /^\s+(NIC\d+):\s+(\S+)\s*$/.exec(line);
      if (m) topo.nics[m[1]] = m[2];
    }
  }
  return topo;
}
