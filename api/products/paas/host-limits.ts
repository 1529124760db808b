import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import type { HostLimits } from './service-config';

/**
 * The largest host's capacity, which no single service may exceed (it could never be placed): the
 * largest cpu and memory among the hosts paas knows (`paas.hosts`, kept by the deployment side from
 * PAAS_HOST_CAPACITY or the hosts' engines). Before any host is known it is PAAS_MAX_SERVICE_CPU_MHZ /
 * PAAS_MAX_SERVICE_MEMORY_MB.
 */
export function createHostLimits(deps: { db: Knex; config: Config }): () => Promise<HostLimits> {
  const { db, config } = deps;
  const fallback = { cpuMhz: config.PAAS_MAX_SERVICE_CPU_MHZ, memoryMb: config.PAAS_MAX_SERVICE_MEMORY_MB };
  // paas.hosts comes with the deployment side's migration; once there it stays, so asked once.
  let hostsTable: Promise<boolean> | undefined;
  return async () => {
    hostsTable ??= db
      .raw<{ rows: { present: boolean }[] }>(`select to_regclass('paas.hosts') is not null as present`)
      .then((r) => r.rows[0].present)
      .catch((err) => {
        hostsTable = undefined;
        throw err;
      });
    if (!(await hostsTable)) return fallback;
    const [row] = await db('paas.hosts').max({ cpu: 'cpu_mhz', memory: 'memory_mb' });
    if (row?.cpu == null || row?.memory == null) return fallback;
    return { cpuMhz: Number(row.cpu), memoryMb: Number(row.memory) };
  };
}
