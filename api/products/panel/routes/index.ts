import type { Context } from 'koa';
import { auditRefusals } from '../../../http/audit';
import { createRoutes } from '../../../http/route';
import type { AuthLevel, Caller } from '../auth';
import { PanelError } from '../envelope';
import type { PanelRoute, PanelServices } from './context';
import { auditRoutes } from './audit';
import { authRoutes } from './auth';
import { databaseRoutes } from './databases';
import { monitorRoutes } from './monitor';
import { updateRoutes } from './updates';
import { jobRoutes } from './jobs';
import { siteRoutes } from './sites';
import { sslRoutes } from './ssl';
import { backupRoutes } from './backups';
import { systemRoutes } from './system';
import { userRoutes } from './users';

/** Every panel.md endpoint this product serves, one file per area, each route a thin call into a service. */
export function panelRoutes(services: PanelServices) {
  const api = createRoutes<AuthLevel>({
    authenticate: services.auth.authenticate,
    publicLevel: 'public',
    errorSchema: PanelError,
  });
  const actor = (ctx: Context) => (ctx.state.caller as Caller | undefined)?.user.username ?? null;
  // `/v1/users/{user_id}` refused: target `user:<id>`, as its success row would have it.
  const target = (ctx: Context) => {
    const params = Object.entries((ctx.params ?? {}) as Record<string, string>);
    const [name, value] = params.find(([k]) => k.endsWith('_id')) ?? [];
    return name ? `${name.slice(0, -'_id'.length)}:${value}` : null;
  };
  const route: PanelRoute = ({ audit, ...spec }) => {
    if (!audit) return api.route(spec);
    const refusals = auditRefusals({ db: services.db, product: 'panel', action: audit, actor, target });
    api.route({ ...spec, before: [refusals, ...(spec.before ?? [])] });
  };
  const areas = [systemRoutes, authRoutes, siteRoutes, jobRoutes, auditRoutes, monitorRoutes, updateRoutes];
  for (const area of [...areas, databaseRoutes, sslRoutes, backupRoutes, userRoutes]) area(route, services);
  return api;
}
