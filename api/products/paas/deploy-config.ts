import { z } from 'zod';
import { seconds, type ProductSettings } from '../../../core/settings';

const hostList = z
  .string()
  .optional()
  .transform((s) =>
    s
      ? s
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean)
      : null,
  );

/** paas deployments' settings (PAAS_HOSTS, PAAS_DEPLOY_*…): where services run and the deadlines of their steps. */
export const paasDeploySettings = z.object({
  /** Hosts that run services (each with a worker polling dermaga-host-<id>); unset: this HOST_ID alone. */
  PAAS_HOSTS: hostList,
  /**
   * Hosts' capacity for services in Nomad's units, `host=cpuMhz:memoryMb` comma-separated; a host
   * not listed has what its Docker engine reports (NCPU × PAAS_MHZ_PER_CORE, MemTotal).
   */
  PAAS_HOST_CAPACITY: z
    .string()
    .regex(
      /^$|^[a-z0-9][a-z0-9-]{0,63}=\d+:\d+(,[a-z0-9][a-z0-9-]{0,63}=\d+:\d+)*$/,
      'must be host=cpuMhz:memoryMb, comma-separated',
    )
    .default('')
    .transform(
      (s) =>
        Object.fromEntries(
          s
            .split(',')
            .filter(Boolean)
            .map((entry) => {
              const [host, cpuMhz, memoryMb] = entry.split(/[=:]/);
              return [host, { cpuMhz: Number(cpuMhz), memoryMb: Number(memoryMb) }];
            }),
        ) as Record<string, { cpuMhz: number; memoryMb: number }>,
    ),
  /** MHz that count as one core: a service's `cpu: 500` is a limit of 500 / this cores. */
  PAAS_MHZ_PER_CORE: z.coerce.number().int().min(100).max(10_000).default(1000),
  /** The address services' ports are published on. */
  PAAS_BIND_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
  /** Where a service's data volume is mounted in its container (the contract has no field for it). */
  PAAS_VOLUME_PATH: z
    .string()
    .regex(/^\/[^\0]*$/, 'must be an absolute path')
    .default('/data'),
  /** Deadlines: an image pull, a container becoming healthy (port open or health check passing), a stop. */
  PAAS_PULL_TIMEOUT_SECONDS: seconds.default(300),
  PAAS_HEALTH_TIMEOUT_SECONDS: seconds.default(60),
  PAAS_STOP_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  /** Deadline of a logs or metrics read from the service's host. */
  PAAS_READ_TIMEOUT_SECONDS: seconds.default(10),
}) satisfies ProductSettings;

export type PaasDeploySettings = z.output<typeof paasDeploySettings>;
