import { z } from 'zod';
import { readBuildInfo } from '../../../../core/build-info';
import type { PaasRoute } from './context';

const Health = z.object({ status: z.string(), version: z.string() }).openapi('Health');

/** GET /health (public): the API answers, with the running build's version. */
export function healthRoutes(route: PaasRoute): void {
  const { version } = readBuildInfo();
  route({
    method: 'get',
    path: '/health',
    tag: 'health',
    auth: 'public',
    summary: 'API health and version',
    responses: { 200: { description: 'Healthy', schema: Health } },
    handler: async () => ({ status: 'healthy', version }),
  });
}
