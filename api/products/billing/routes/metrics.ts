import { z } from 'zod';
import { serveMetrics } from '../../../http/metrics';
import type { BillingRoute, BillingServices } from './context';

/** Prometheus metrics: the platform's one process registry (billing.md GET /metrics), on its terms. */
export function metricsRoutes(route: BillingRoute, { config }: BillingServices): void {
  route({
    method: 'get',
    path: '/metrics',
    tag: 'health',
    auth: 'public',
    summary: 'Prometheus metrics of this process',
    description:
      'Needs `Authorization: Bearer <METRICS_TOKEN>`; not served here when no token is configured (404).',
    responses: {
      200: { description: 'Prometheus text format', schema: z.string() },
      401: { description: 'No or wrong metrics token' },
    },
    handler: (_, ctx) => serveMetrics(ctx, config, 'api'),
  });
}
