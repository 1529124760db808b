import type { Context } from 'koa';
import type { RouteFn } from '../../../http/route';
import type { PaasAuthLevel, PaasAuthService, PaasCaller } from '../auth';
import type { DeploymentStarts } from '../deployments';
import type { ServiceService } from '../services';
import type { TemplateService } from '../templates';
import type { UserService } from '../users';

export interface PaasServices {
  auth: PaasAuthService;
  users: UserService;
  templates: TemplateService;
  services: ServiceService;
  deployments: DeploymentStarts;
}

export type PaasRoute = RouteFn<PaasAuthLevel>;
export const caller = (ctx: Context) => ctx.state.caller as PaasCaller;
