import { ApplicationFailure } from '@temporalio/activity';
import { run, type ExecResult } from '../../adapters/exec';
import { parseGpuList, migSummary } from './nvidia-smi/list-gpus';
import { parseComputeInstances, parseGpuInstances } from './nvidia-smi/mig-tables';
import {
  DISCOVER_FIELDS,
  discoveredGpu,
  gpuLoad,
  parseQueryGpu,
  STATS_FIELDS,
  type GpuLoad,
} from './nvidia-smi/query-gpu';
import { parseTopology } from './nvidia-smi/topology';
import { NvidiaSmiParseError } from './nvidia-smi/values';

/** What `GET /gpu/discover`, `/gpu/mig/summary`, `/gpu/mig/instances` and `/gpu/topology` ask a host. */
export type GpuProbe = 'discover' | 'mig-summary' | 'mig-instances' | 'topology';

/** The arguments each probe runs: fixed lists, never built from a request. */
export const PROBE_COMMANDS: Record<GpuProbe, string[][]> = {
  discover: [[`--query-gpu=${DISCOVER_FIELDS.join(',')}`, '--format=csv']],
  'mig-summary': [['-L']],
  'mig-instances': [
    ['mig', '-lgi'],
    ['mig', '-lci'],
  ],
  topology: [['topo', '-m']],
};

/** Output by which nvidia-smi says the host has no usable NVIDIA driver or GPU. */
const NO_DRIVER =
  /couldn't communicate with the NVIDIA driver|NVIDIA-SMI has failed|No devices were found|driver\/library version mismatch/i;
/** Output that is an answer despite a non-zero exit: there is simply no MIG to list. */
const NOTHING_TO_LIST = /No MIG-enabled devices found|No (GPU|compute) instances found/i;

/**
 * nvidia-smi on this host, run by the host's own worker (queue dermaga-host-<hostId>). Failures
 * are non-retryable with a type the API maps to a status, and a message naming the host.
 */
export function createNvidiaSmiActivities(deps: { bin: string; hostId: string }) {
  const fail = (type: string, message: string) =>
    ApplicationFailure.create({ type, message: `host ${deps.hostId}: ${message}`, nonRetryable: true });

  async function smi(args: string[]): Promise<string> {
    let result: ExecResult;
    try {
      result = await run(deps.bin, args, { timeoutMs: 20_000 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw fail(
          'gpu_driver_unavailable',
          `nvidia-smi is not available (no ${deps.bin} on this host: no NVIDIA driver is installed)`,
        );
      if (code === 'EACCES')
        throw fail('gpu_driver_unavailable', `${deps.bin} may not be run by the worker (permission denied)`);
      throw err; // a timeout: worth retrying
    }
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.code === 0 || NOTHING_TO_LIST.test(output)) return result.stdout || result.stderr;
    const said = output.trim().split('\n')[0]?.slice(0, 200) ?? '';
    if (NO_DRIVER.test(output))
      throw fail('gpu_driver_unavailable', `no usable NVIDIA GPU: nvidia-smi says "${said}"`);
    if (/Insufficient Permissions/i.test(output))
      throw fail(
        'gpu_permission_denied',
        `nvidia-smi ${args.join(' ')} needs more privileges than the worker has: "${said}"`,
      );
    throw fail('nvidia_smi_failed', `nvidia-smi ${args.join(' ')} exited ${result.code}: "${said}"`);
  }

  async function probe(kind: GpuProbe) {
    const [first, second] = PROBE_COMMANDS[kind];
    switch (kind) {
      case 'discover':
        return { gpus: parseQueryGpu(await smi(first)).map(discoveredGpu) };
      case 'mig-summary':
        return migSummary(parseGpuList(await smi(first)));
      case 'mig-instances': {
        const gis = parseGpuInstances(await smi(first));
        const cis = parseComputeInstances(await smi(second));
        return {
          migEnabled: gis.migEnabled && cis.migEnabled,
          gpuInstances: gis.rows,
          computeInstances: cis.rows,
        };
      }
      case 'topology':
        return parseTopology(await smi(first));
    }
  }

  return {
    /**
     * The load of a container's whole GPUs (nvidia-smi reports none per MIG instance, so those
     * are listed without it). A host without a driver fails typed, like the probes.
     */
    async gpuStats({ uuids }: { uuids: string[] }): Promise<{ gpus: GpuLoad[]; migInstances: string[] }> {
      const whole = uuids.filter((u) => u.startsWith('GPU-'));
      const migInstances = uuids.filter((u) => !u.startsWith('GPU-'));
      if (!whole.length) return { gpus: [], migInstances };
      try {
        const text = await smi([
          `--query-gpu=${STATS_FIELDS.join(',')}`,
          '--format=csv,noheader,nounits',
          '-i',
          whole.join(','),
        ]);
        return { gpus: parseQueryGpu(text, STATS_FIELDS).map(gpuLoad), migInstances };
      } catch (err) {
        if (err instanceof NvidiaSmiParseError) throw fail('nvidia_smi_unparsable', err.message);
        throw err;
      }
    },

    /** Runs the probe's nvidia-smi command(s) and returns the parsed answer. */
    async readNvidiaSmi(input: { probe: GpuProbe }) {
      try {
        return { hostId: deps.hostId, collectedAt: new Date().toISOString(), ...(await probe(input.probe)) };
      } catch (err) {
        if (err instanceof NvidiaSmiParseError) throw fail('nvidia_smi_unparsable', err.message);
        throw err;
      }
    },
  };
}
export type NvidiaSmiActivities = ReturnType<typeof createNvidiaSmiActivities>;
