import type { Context } from 'koa';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { auditRefusals } from '../../../http/audit';
import { createRoutes, type RouteSpec } from '../../../http/route';
import type { AuthLevel, AuthService, Caller } from '../auth';
import { PanelError } from '../envelope';
import type { JobService } from '../jobs';
import type { SiteService } from '../sites';
import type { AuditService } from '../audit';
import type { DatabaseService } from '../databases';
import { auditRoutes } from './audit';
import { authRoutes } from './auth';
import { databaseRoutes } from './databases';
import type { MonitorService } from '../monitor';
import { monitorRoutes } from './monitor';
import type { UpdateService } from '../updates';
import { updateRoutes } from './updates';
import { jobRoutes } from './jobs';
import { siteRoutes } from './sites';
import type { SslService } from '../ssl';
import { sslRoutes } from './ssl';
import type { BackupService } from '../backups';
import { backupRoutes } from './backups';
import { systemRoutes } from './system';
import type { UserService } from '../users';
import { userRoutes } from './users';

export interface PanelServices {
  db: Knex;
  auth: AuthService;
  sites: SiteService;
  jobs: JobService;
  osReleaseFile: string;
  audit: AuditService;
  monitor: MonitorService;
  updates: UpdateService;
  databases: DatabaseService;
  ssl: SslService;
  backups: BackupService;
  users: UserService;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;
/**
 * A panel route. `audit` names a sensitive route's action: its service writes the success row,
 * and any refusal (role, schema, rule) is written under the same action (auditRefusals).
 */
export type PanelRoute = <
  P extends AnyObject | undefined,
  Q extends AnyObject | undefined,
  B extends AnyObject | undefined,
>(
  spec: RouteSpec<AuthLevel, P, Q, B> & { audit?: string },
) => void;

export const caller = (ctx: Context) => ctx.state.caller as Caller;

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
