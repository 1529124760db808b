import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import type { HostReader } from './host-read';

export interface HostCapacity {
  cpus: number;
  memoryMb: number;
}

/**
 * Brings each host's kept capacity (`gpu_lab.hosts`) up to date before a create reserves from it:
 * GPULAB_HOST_CAPACITY's entry, else what the host's Docker engine reports, asked of its worker.
 * A host that cannot be asked keeps its last known capacity; one never measured is not used.
 */
export function createCapacityKeeper(deps: { db: Knex; config: Config; readFromHost: HostReader }) {
  const { db, config, readFromHost } = deps;
  return async function refreshCapacity(hosts: string[]): Promise<void> {
    await Promise.all(
      hosts.map(async (hostId) => {
        const configured = config.GPULAB_HOST_CAPACITY[hostId];
        const capacity = configured
          ? { ...configured, source: 'config' }
          : await readFromHost<HostCapacity>(hostId, { kind: 'capacity' }).then(
              (c) => ({ ...c, source: 'engine' }),
              () => null,
            );
        if (!capacity) return;
        const { cpus, memoryMb, source } = capacity;
        await db('gpu_lab.hosts')
          .insert({ id: hostId, cpus, memory_mb: memoryMb, source, updated_at: db.fn.now() })
          .onConflict('id')
          .merge();
      }),
    );
  };
}
