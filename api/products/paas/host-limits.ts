import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import type { HostLimits } from './service-config';

/**
 * The largest host's capacity, which no single service may exceed (it could never be placed).
 * Without host capacity known to the API it is PAAS_MAX_SERVICE_CPU_MHZ / PAAS_MAX_SERVICE_MEMORY_MB.
 */
export function createHostLimits(deps: { db: Knex; config: Config }): () => Promise<HostLimits> {
  const { config } = deps;
  return async () => ({
    cpuMhz: config.PAAS_MAX_SERVICE_CPU_MHZ,
    memoryMb: config.PAAS_MAX_SERVICE_MEMORY_MB,
  });
}
