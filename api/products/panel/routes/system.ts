import { reply } from '../../../http/route';
import { compatibility } from '../system';
import * as s from '../schemas/system';
import type { PanelRoute, PanelServices } from './context';

/** Liveness and host compatibility (public). */
export function systemRoutes(route: PanelRoute, { db, osReleaseFile }: PanelServices): void {
  route({
    method: 'get',
    path: '/healthz',
    tag: 'system',
    auth: 'public',
    summary: 'Liveness of the panel and its database',
    responses: {
      200: { description: 'Healthy', schema: s.Healthz },
      503: { description: 'Database unreachable', schema: s.Healthz },
    },
    handler: async () => {
      const ok = await db.raw('select 1').then(
        () => true,
        () => false,
      );
      const body = {
        status: ok ? 'ok' : 'degraded',
        service: 'nusantarad',
        timestamp: new Date().toISOString(),
      };
      return reply(ok ? 200 : 503, body);
    },
  });

  route({
    method: 'get',
    path: '/v1/system/compatibility',
    tag: 'system',
    auth: 'public',
    summary: 'Whether this host runs a supported OS',
    responses: { 200: { description: 'Read from /etc/os-release', schema: s.Compatibility } },
    handler: () => compatibility(osReleaseFile),
  });
}
