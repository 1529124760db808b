import { z } from 'zod';
import type { LabRoute } from './context';

/** The health check the lab's clients already poll. */
export function generalRoutes(route: LabRoute): void {
  route({
    method: 'get',
    path: '/api/v1',
    tag: 'general',
    auth: 'public',
    summary: 'Health check',
    description: 'Answers the text `API - Connect Succeed`.',
    responses: {
      200: { description: 'Up', schema: z.string().openapi({ example: 'API - Connect Succeed' }) },
    },
    handler: async () => 'API - Connect Succeed',
  });
}
