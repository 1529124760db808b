import type { Knex } from 'knex';
import type { Temporal } from '../../../../core/temporal';
import { createRoutes, type RouteFn } from '../../../http/route';
import { BillingError } from '../envelope';
import { healthRoutes } from './health';
import { metricsRoutes } from './metrics';

/** Caller levels; customer and admin arrive with auth in the next slice. */
export type BillingAuthLevel = 'public';

export interface BillingServices {
  db: Knex;
  temporal: Temporal;
  startedAt: number;
}

export type BillingRoute = RouteFn<BillingAuthLevel>;

/** Every billing.md endpoint this product serves, one file per area. */
export function billingRoutes(services: BillingServices) {
  const api = createRoutes<BillingAuthLevel>({
    // Only public routes exist so far: nothing to check.
    authenticate: async () => undefined,
    publicLevel: 'public',
    errorSchema: BillingError,
  });
  for (const area of [healthRoutes, metricsRoutes]) area(api.route, services);
  return api;
}
