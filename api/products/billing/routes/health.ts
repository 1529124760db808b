import { z } from 'zod';
import { reply } from '../../../http/route';
import { ok } from '../envelope';
import type { BillingRoute, BillingServices } from './context';

const Health = z.object({ success: z.boolean(), data: z.string() }).openapi('Health');
const HealthDetailed = z
  .object({
    success: z.boolean(),
    data: z.object({ database: z.string(), temporal: z.string(), stripe: z.string(), uptime: z.string() }),
  })
  .openapi('HealthDetailed');

const check = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    () => 'DOWN',
  );

/** Basic and detailed health (public). Detailed lists the dependencies billing really has (contracts README): database, Temporal, Stripe. */
export function healthRoutes(
  route: BillingRoute,
  { db, temporal, stripe, startedAt }: BillingServices,
): void {
  route({
    method: 'get',
    path: '/health',
    tag: 'health',
    auth: 'public',
    summary: 'Basic health check',
    responses: { 200: { description: 'Up', schema: Health } },
    handler: async () => ok('OK'),
  });

  route({
    method: 'get',
    path: '/health/detailed',
    tag: 'health',
    auth: 'public',
    summary: 'Health of the database, Temporal and Stripe',
    responses: {
      200: { description: 'All dependencies answer', schema: HealthDetailed },
      503: { description: 'A dependency is down', schema: HealthDetailed },
    },
    handler: async () => {
      const [database, temporalState, stripeState] = await Promise.all([
        check(db.raw('select 1')),
        check(temporal.call((c) => c.workflowService.getSystemInfo({}))),
        check(stripe.balance.retrieve(undefined, { timeout: 5000, maxNetworkRetries: 0 })),
      ]);
      const hours = Math.floor((Date.now() - startedAt) / 3_600_000);
      const body = ok({ database, temporal: temporalState, stripe: stripeState, uptime: `${hours}h` });
      return reply([database, temporalState, stripeState].every((s) => s === 'OK') ? 200 : 503, body);
    },
  });
}
