import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { Unavailable } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import type { Temporal } from '../../../core/temporal';
import type { PaasCaller } from './auth';
import type { Deployment, Service } from './models';

/*
 * ─── OWNED BY paas-deploy (branch fix/paas-deploy) ───────────────────────────────────────────────
 * paas-api calls these two functions from PUT /services/:id (a running service's new config) and
 * DELETE /services/:id, after its own validation and authorization, inside the transaction that
 * holds the service row locked (`select … for update`). paas-deploy replaces the bodies (records the
 * deployment / deletion and its workflow start in `trx` through core/workflow-starts.ts, then
 * dispatches it in `afterCommit`). Until then they answer 503: nothing here is a finished feature.
 * Keep the signatures (or change both sides together).
 */

export interface DeploymentStarts {
  /**
   * A running service whose config the caller just changed (the row in `trx` already holds the new
   * config): record a new deployment of it and its workflow start; the old deployment keeps
   * running until the new one is healthy.
   */
  redeployService(
    trx: Knex.Transaction,
    input: { service: Service; caller: PaasCaller },
  ): Promise<{ deployment: Deployment; afterCommit: () => Promise<void> }>;
  /**
   * Delete a service that has (or had) deployments: mark it `deleting` and record the workflow
   * that removes its containers, volume and network, then the row.
   */
  deleteService(
    trx: Knex.Transaction,
    input: { service: Service; caller: PaasCaller },
  ): Promise<{ afterCommit: () => Promise<void> }>;
}

export function createDeploymentStarts(_deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  logger: Logger;
}): DeploymentStarts {
  const notYet = () => {
    throw new Unavailable('paas deployments are not available yet');
  };
  return { redeployService: async () => notYet(), deleteService: async () => notYet() };
}
