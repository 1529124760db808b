import type { Context } from 'koa';
import type { Knex } from 'knex';
import { createRoutes, type RouteFn } from '../../../http/route';
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
}

export type PanelRoute = RouteFn<AuthLevel>;

export const caller = (ctx: Context) => ctx.state.caller as Caller;

/** Every panel.md endpoint this product serves, one file per area, each route a thin call into a service. */
export function panelRoutes(services: PanelServices) {
  const api = createRoutes<AuthLevel>({
    authenticate: services.auth.authenticate,
    publicLevel: 'public',
    errorSchema: PanelError,
  });
  for (const area of [systemRoutes, authRoutes, siteRoutes, jobRoutes, auditRoutes, monitorRoutes, updateRoutes, databaseRoutes, sslRoutes, backupRoutes]) area(api.route, services);
  return api;
}
