import { NvidiaSmiParseError } from './values';

const GPU_LINE = /^GPU (\d+): (.+?) \(UUID: ([^)\s]+)\)\s*$/;
/** `  MIG 1g.10gb     Device  0: (UUID: MIG-…)`; older drivers: `MIG 1c.3g.20gb Device 0: (UUID: MIG-GPU-…/1/0)`. */
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+):\s+\(UUID: ([^)\s]+)\)\s*$/;

export interface ListedGpu {
  index: number;
  name: string;
  uuid: string;
  migDevices: { deviceIndex: number; profile: string; uuid: string }[];
}

/** Parses `nvidia-smi -L`: every GPU, and under each the MIG devices it is split into. */
export function parseGpuList(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const gpu = GPU_LINE.exec(line);
    if (gpu) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2], uuid: gpu[3], migDevices: [] });
      continue;
    }
    const mig = MIG_LINE.exec(line);
    if (mig && gpus.length) {
      gpus[gpus.length - 1].migDevices.push({ deviceIndex: Number(mig[2]), profile: mig[1], uuid: mig[3] });
      continue;
    }
    throw new NvidiaSmiParseError(`nvidia-smi -L: unexpected line "${line.trim().slice(0, 120)}"`);
  }
  return gpus;
}

/** GPUs with their MIG devices, and how many devices of each profile the host has. */
export function migSummary(gpus: ListedGpu[]) {
  const byProfile: Record<string, number> = {};
  for (const g of gpus) for (const d of g.migDevices) byProfile[d.profile] = (byProfile[d.profile] ?? 0) + 1;
  return {
    gpus,
    totals: {
      gpus: gpus.length,
      gpusWithMigDevices: gpus.filter((g) => g.migDevices.length > 0).length,
      migDevices: gpus.reduce((n, g) => n + g.migDevices.length, 0),
      byProfile,
    },
  };
}
