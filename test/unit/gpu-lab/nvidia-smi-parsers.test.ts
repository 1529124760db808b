import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { migSummary, parseGpuList } from '../../../activities/gpu-lab/nvidia-smi/list-gpus';
import { parseComputeInstances, parseGpuInstances } from '../../../activities/gpu-lab/nvidia-smi/mig-tables';
import { discoveredGpu, parseQueryGpu } from '../../../activities/gpu-lab/nvidia-smi/query-gpu';
import { parseTopology } from '../../../activities/gpu-lab/nvidia-smi/topology';
import { NvidiaSmiParseError } from '../../../activities/gpu-lab/nvidia-smi/values';

/** The recorded outputs, shared with the fake nvidia-smi the integration tests give a host worker. */
const FIXTURES = path.resolve(__dirname, '../../gpu-lab/fixtures');

/** A recorded output without its `# source:` lines, and the lines themselves. */
function fixture(name: string) {
  const raw = readFileSync(path.join(FIXTURES, name), 'utf8');
  const header = /^(# .*\n)+/.exec(raw)?.[0] ?? '';
  return { text: raw.slice(header.length), header };
}

describe('the recorded fixtures', () => {
  it('each name the public source they were recorded from', () => {
    const files = readdirSync(FIXTURES).filter((f) => /\.(txt|csv)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const f of files)
      expect([f, fixture(f).header]).toEqual([f, expect.stringMatching(/^# source: .*https:\/\//)]);
  });
});

describe('nvidia-smi --query-gpu (discover)', () => {
  it('reads a noheader,nounits row by the field list it was asked for, N/A as null', () => {
    const { text, header } = fixture('query-gpu-rtx2080-noheader-nounits.csv');
    const fields = /--query-gpu=(\S+)/.exec(header)?.[1].split(',') as string[];
    const rows = parseQueryGpu(text, fields);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: 'GeForce RTX 2080',
      uuid: 'GPU-22b2c6ac-2d49-4863-197c-9c469071178a',
      'memory.total': '7979',
      'temperature.memory': null,
      pstate: 'P2',
    });
    expect(discoveredGpu(rows[0])).toEqual({
      index: null,
      uuid: 'GPU-22b2c6ac-2d49-4863-197c-9c469071178a',
      name: 'GeForce RTX 2080',
      memoryTotalMB: 7979,
      memoryUsedMB: null,
      utilizationPercent: 86,
      temperatureC: 45,
      migMode: null,
      driverVersion: '440.64',
      pciBusId: null,
    });
  });

  it('names the columns from the header and reads values with their units', () => {
    const rows = parseQueryGpu(fixture('query-gpu-a10-header-units.csv').text);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({
      timestamp: '2024/01/16 14:44:16.977',
      pstate: 'P8',
      'temperature.gpu': '25',
      'utilization.gpu': '0 %',
      'utilization.memory': '0 %',
      'memory.total': '23028 MiB',
      'memory.free': '22494 MiB',
      'memory.used': '21 MiB',
    });
    expect(discoveredGpu(rows[1])).toMatchObject({
      memoryTotalMB: 23028,
      memoryUsedMB: 7,
      utilizationPercent: 0,
      temperatureC: 24,
    });
  });

  it('reads the MIG mode of an H100 from a header-named query', () => {
    const rows = parseQueryGpu(fixture('query-gpu-h100-mig-mode.csv').text);
    expect(rows.map(discoveredGpu)).toEqual([
      expect.objectContaining({ pciBusId: '00000000:01:00.0', migMode: 'Enabled', uuid: null }),
    ]);
  });

  it('skips a line that does not fit the header, and answers nothing for no output', () => {
    expect(
      parseQueryGpu('pci.bus_id, mig.mode.current\nWarning: something\n00000000:01:00.0, Enabled\n'),
    ).toHaveLength(1);
    expect(parseQueryGpu('')).toEqual([]);
  });
});

describe('nvidia-smi -L (mig/summary)', () => {
  it('lists an A100-SXM4-80GB split into seven 1g.10gb MIG devices', () => {
    const gpus = parseGpuList(fixture('L-a100-sxm4-80gb-7x1g.10gb.txt').text);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA A100-SXM4-80GB',
      uuid: 'GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16',
    });
    expect(gpus[0].migDevices.map((d) => d.deviceIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(gpus[0].migDevices[6]).toEqual({
      deviceIndex: 6,
      profile: '1g.10gb',
      uuid: 'MIG-1aae4990-b962-574e-8375-119d6d9b9687',
    });
    expect(migSummary(gpus).totals).toEqual({
      gpus: 1,
      gpusWithMigDevices: 1,
      migDevices: 7,
      byProfile: { '1g.10gb': 7 },
    });
  });

  it('keeps MIG devices under their own GPU when only one of four is split', () => {
    const summary = migSummary(parseGpuList(fixture('L-4xa100-one-mig.txt').text));
    expect(summary.gpus.map((g) => [g.index, g.migDevices.length])).toEqual([
      [0, 4],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(summary.totals).toEqual({
      gpus: 4,
      gpusWithMigDevices: 1,
      migDevices: 4,
      byProfile: { '1g.20gb': 4 },
    });
  });

  it('counts the mixed profiles of an H100 and of an A100 80GB PCIe', () => {
    expect(migSummary(parseGpuList(fixture('L-h100-pcie-mig.txt').text)).totals.byProfile).toEqual({
      '3g.40gb': 1,
      '1g.10gb': 3,
    });
    const a100 = parseGpuList(fixture('L-a100-80gb-pcie-2x3g.40gb.txt').text);
    expect(a100[0]).toMatchObject({
      name: 'NVIDIA A100 80GB PCIe',
      migDevices: [
        { profile: '3g.40gb', deviceIndex: 0 },
        { profile: '3g.40gb', deviceIndex: 1 },
      ],
    });
  });

  it('refuses output it does not understand instead of guessing', () => {
    expect(() =>
      parseGpuList("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"),
    ).toThrow(NvidiaSmiParseError);
  });
});

describe('nvidia-smi mig -lgi / -lci (mig/instances)', () => {
  it('reads the GPU instances of an H100 with their placements', () => {
    const { migEnabled, rows } = parseGpuInstances(fixture('mig-lgi-h100-pcie.txt').text);
    expect(migEnabled).toBe(true);
    expect(rows).toEqual([
      { gpu: 0, profile: '1g.10gb', profileId: 19, instanceId: 7, placement: { start: 0, size: 1 } },
      { gpu: 0, profile: '1g.10gb', profileId: 19, instanceId: 8, placement: { start: 1, size: 1 } },
      { gpu: 0, profile: '1g.10gb', profileId: 19, instanceId: 9, placement: { start: 2, size: 1 } },
      { gpu: 0, profile: '3g.40gb', profileId: 9, instanceId: 2, placement: { start: 4, size: 4 } },
    ]);
  });

  it('reads the narrower table of an older driver (A100 40GB)', () => {
    expect(
      parseGpuInstances(fixture('mig-lgi-a100-40gb-2x3g.20gb.txt').text).rows.map((r) => [
        r.instanceId,
        r.placement,
      ]),
    ).toEqual([
      [1, { start: 4, size: 4 }],
      [2, { start: 0, size: 4 }],
    ]);
  });

  it('reads compute instances, without a placement column where the driver prints none', () => {
    const { rows } = parseComputeInstances(fixture('mig-lci-a100-40gb-3x1c.3g.20gb.txt').text);
    expect(rows).toEqual(
      [0, 1, 2].map((ci) => ({
        gpu: 0,
        gpuInstanceId: 1,
        profile: '1c.3g.20gb',
        profileId: 0,
        instanceId: ci,
        placement: null,
      })),
    );
  });

  it('says so when no GPU has MIG enabled, and refuses an error message as a table', () => {
    expect(parseGpuInstances('No MIG-enabled devices found.\n')).toEqual({ migEnabled: false, rows: [] });
    expect(parseComputeInstances('No compute instances found: Not Found\n')).toEqual({
      migEnabled: true,
      rows: [],
    });
    expect(() => parseComputeInstances(fixture('mig-lci-insufficient-permissions.txt').text)).toThrow(
      /expected a "Compute instances:" table, got "Failed to display compute instances: Insufficient Permissions"/,
    );
  });
});

describe('nvidia-smi topo -m (topology)', () => {
  it('reads an 8× A100 NVLink box with 17 NICs, their affinities and the NIC legend', () => {
    const t = parseTopology(fixture('topo-8xa100-nv12-17nics.txt').text);
    expect(t.devices).toHaveLength(25);
    expect(t.devices.slice(0, 9)).toEqual([
      'GPU0',
      'GPU1',
      'GPU2',
      'GPU3',
      'GPU4',
      'GPU5',
      'GPU6',
      'GPU7',
      'NIC0',
    ]);
    expect(t.matrix.GPU0.GPU0).toBe('X');
    expect(t.matrix.GPU0.GPU7).toBe('NV12');
    expect(t.matrix.GPU3.NIC5).toBe('PXB');
    expect(t.matrix.NIC16.NIC16).toBe('X');
    for (const a of t.devices) for (const b of t.devices) expect(t.matrix[a][b]).toBe(t.matrix[b][a]); // symmetric, all cells read
    expect(t.affinity.GPU5).toEqual({ cpu: '0-103', numa: '0', gpuNumaId: null });
    expect(t.affinity.NIC0).toBeUndefined();
    expect(t.nics).toMatchObject({ NIC0: 'mlx5_2', NIC16: 'mlx5_bond_0' });
    expect(Object.keys(t.nics)).toHaveLength(17);
    expect(t.legend['NV#']).toBe('Connection traversing a bonded set of # NVLinks');
  });

  it('reads a tab-separated 8× RTX 4090 matrix across two NUMA nodes', () => {
    const t = parseTopology(fixture('topo-8xrtx4090-2nic-tabs.txt').text);
    expect(t.devices).toEqual([
      'GPU0',
      'GPU1',
      'GPU2',
      'GPU3',
      'GPU4',
      'GPU5',
      'GPU6',
      'GPU7',
      'NIC0',
      'NIC1',
    ]);
    expect(t.matrix.GPU6.NIC0).toBe('PHB');
    expect(t.matrix.NIC0.NIC1).toBe('PIX');
    expect(t.affinity.GPU0).toEqual({ cpu: '0-55,112-167', numa: '0', gpuNumaId: null });
    expect(t.affinity.GPU7).toEqual({ cpu: '56-111,168-223', numa: '1', gpuNumaId: null });
    expect(t.legend).toEqual({});
  });

  it('reads two GPUs on one host bridge, and four A10s linked only through the system', () => {
    const two = parseTopology(fixture('topo-2xrtx5090-phb-tabs.txt').text);
    expect(two.matrix).toEqual({ GPU0: { GPU0: 'X', GPU1: 'PHB' }, GPU1: { GPU0: 'PHB', GPU1: 'X' } });
    expect(Object.keys(two.legend)).toEqual(['X', 'SYS', 'NODE', 'PHB', 'PXB', 'PIX', 'NV#']);
    const a10 = parseTopology(fixture('topo-4xa10-sys.txt').text);
    expect(a10.matrix.GPU1.GPU2).toBe('SYS');
    expect(a10.nics).toEqual({ NIC0: 'mlx5_0', NIC1: 'mlx5_1' });
  });

  it('ignores colour codes and refuses something that is not a matrix', () => {
    const coloured = fixture('topo-2xrtx5090-phb-tabs.txt').text.replace(
      'GPU0\tGPU1',
      '\x1b[4mGPU0\tGPU1\x1b[0m',
    );
    expect(parseTopology(coloured).devices).toEqual(['GPU0', 'GPU1']);
    expect(() => parseTopology('No devices were found\n')).toThrow(NvidiaSmiParseError);
  });
});
