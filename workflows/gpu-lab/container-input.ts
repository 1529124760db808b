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
