import type { Context } from 'koa';
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { RouteSpec } from '../../../http/route';
import type { AuthLevel, AuthService, Caller } from '../auth';
import type { JobService } from '../jobs';
import type { SiteService } from '../sites';
import type { AuditService } from '../audit';
import type { DatabaseService } from '../databases';
import type { MonitorService } from '../monitor';
import type { UpdateService } from '../updates';
import type { SslService } from '../ssl';
import type { BackupService } from '../backups';
import type { UserService } from '../users';

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
