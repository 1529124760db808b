import { z } from 'zod';
import { registry } from '../../../../core/metrics';
import { reply } from '../../../http/route';
import type { BillingRoute } from '.';

/** Prometheus metrics: the platform's one process registry (billing.md GET /metrics). */
export function metricsRoutes(route: BillingRoute): void {
  route({
    method: 'get',
    path: '/metrics',
    tag: 'health',
    auth: 'public',
    summary: 'Prometheus metrics of this process',
    responses: { 200: { description: 'Prometheus text format', schema: z.string() } },
    handler: async () => reply(200, await registry.metrics(), { 'content-type': registry.contentType }),
  });
}
