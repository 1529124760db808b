// Rule: a product's workflow input/output and signal/update payload types live here, in types/<product>.ts: type declarations only (no runtime code), imported by workflows, activities and api alike, so activities never import from workflows/.
import type { GpuProbe } from '../activities/gpu-lab/nvidia-smi';

/** Everything the container workflows need, so they never read the database. Secrets travel sealed. */
export interface LabContainerInput {
  containerId: string;
  jobId: string;
  name: string;
  image: string;
  /** Overrides the image's command (tests' tiny images have none). */
  cmd?: string[];
  cpus: number;
  memoryMb: number;
  /** GPU or MIG instance UUIDs reserved for it; empty for CPU only. */
  gpus: string[];
  sshPort: number;
  jupyterPort: number;
  /** The named volume mounted at /workspace. */
  workspace: string;
  /** The container user whose password SSH checks. */
  sshUser: string;
  /** Sealed with DERMAGA_SECRET_KEY (core/secret-box.ts). */
  sealedSshPassword: string;
  sealedJupyterToken: string;
  /** dermaga-host-<hostId>: the host that owns the container, where its activities run. */
  hostQueue: string;
}

export type ContainerAction =
  | { kind: 'stop' | 'start' | 'restart' }
  | { kind: 'change-password'; sealedSshPassword: string }
  /** Recreate from the image keeping name, ports, GPUs and (unless wiped) the workspace. */
  | { kind: 'reset'; wipeWorkspace: boolean; sealedSshPassword: string };

export interface LeaseInput {
  containerId: string;
  name: string;
  workspace: string;
  hostQueue: string;
  /** The end of the paid period (ISO-8601). */
  endsAt: string;
  /** How long before the end the researcher is warned. */
  warnBeforeMs: number;
  /** How long a stopped container's workspace is kept for a payment to bring it back. */
  graceMs: number;
}

/** Reads that only one host can answer (its Docker engine, its nvidia-smi), asked through its queue. */
export type HostRead =
  | { kind: 'stats'; containerId: string; name: string; gpus?: string[] }
  | { kind: 'logs'; containerId: string; name: string; tail: number; since?: string }
  | { kind: 'batchStats'; names: string[]; budgetMs: number }
  | { kind: 'images'; term: string }
  | { kind: 'capacity' }
  | { kind: 'portsInUse'; from: number; to: number }
  | { kind: 'gpus'; probe: GpuProbe };
