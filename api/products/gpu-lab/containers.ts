import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import type { Logger } from '../../../core/logger';
import type { Temporal } from '../../../core/temporal';
import { createContainerJobs } from './container-jobs';
import { createContainerReads } from './container-reads';
import type { HostReader } from './host-read';
import type { LabJobService } from './jobs';

/**
 * Researchers' containers: rows, reservations and jobs here; Docker work in the container
 * workflows on the owning host's queue. A researcher sees and touches only their own (anything
 * else is 404); admins see all.
 */
export function createContainerService(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  readFromHost: HostReader;
  jobs: LabJobService;
  logger?: Logger;
}) {
  return { ...createContainerJobs(deps), ...createContainerReads(deps) };
}
export type ContainerService = ReturnType<typeof createContainerService>;
