// Rule: type declarations only (see types/gpu-lab.ts): the paas deployment workflows' inputs, imported by workflows, activities and api alike.

/** How a deployment's container is known to be ready: a port accepting connections, or a command exiting 0 inside it. */
export type PaasHealthCheck = { type: 'tcp'; port: number } | { type: 'command'; command: string[] };

/** The container a deployment runs, where its host activities find it. */
export interface PaasContainerRef {
  deploymentId: string;
  serviceId: string;
  /** Docker's name for it: `paas-<deployment id>`. */
  name: string;
  /** dermaga-host-<hostId> of the host that runs it. */
  hostQueue: string;
}

/** Everything a deployment needs, so the workflow never reads the database. The environment travels sealed. */
export interface PaasDeployInput {
  deploymentId: string;
  serviceId: string;
  jobId: string;
  /** Docker's name for the container (`paas-<deployment id>`), its network and data volume (the service's). */
  name: string;
  network: string;
  volume: string;
  /** Where the data volume is mounted in the container. */
  volumePath: string;
  image: string;
  /** The environment as JSON, sealed with DERMAGA_SECRET_KEY (core/secret-box.ts): it holds passwords. */
  sealedEnv: string;
  /** Container ports, each published on a host port the engine picks. */
  ports: number[];
  /** The service's resources in Nomad's units: cpu in MHz, memory in MB. */
  cpuMhz: number;
  memoryMb: number;
  /** MHz that count as one core, for the container's CPU limit. */
  mhzPerCore: number;
  healthCheck: PaasHealthCheck | null;
  /** The hosts that may run it (PAAS_HOSTS), the one with room is picked. */
  hosts: string[];
  /** Hosts' configured capacity (PAAS_HOST_CAPACITY): those are not asked; the others' engines are. */
  capacity: Record<string, { cpuMhz: number; memoryMb: number }>;
  /** The deployment that runs now (an update): kept until this one is healthy, put back if this one fails. */
  previous: PaasContainerRef | null;
  /**
   * An earlier deployment of the service ran, so its network and data volume hold what the service
   * had: this deployment's undo never removes them. (Absent in histories recorded before it: then
   * `previous !== null` says the same.)
   */
  keepNetworkAndVolume?: boolean;
  /** Deadlines of the steps that wait on something outside: a pull, and the container becoming healthy. */
  pullTimeoutMs: number;
  healthTimeoutMs: number;
}

/** stop, restart: one action on the service's running container. */
export interface PaasActionInput {
  serviceId: string;
  jobId: string;
  kind: 'stop' | 'restart';
  container: PaasContainerRef;
  /** The deployment the container belongs to (stop marks it stopped). */
  deploymentId: string;
  ports: number[];
  healthCheck: PaasHealthCheck | null;
  network: string;
  healthTimeoutMs: number;
}

/** delete: every container, the network and the volume of the service, on every host it ever ran on, then its row. */
export interface PaasDeleteInput {
  serviceId: string;
  jobId: string;
  network: string;
  volume: string;
  hostQueues: string[];
}

/** Reads only the host that runs the service can answer, through its queue. */
export type PaasHostRead =
  { kind: 'metrics'; name: string } | { kind: 'logs'; name: string; tail: number; since?: string };
