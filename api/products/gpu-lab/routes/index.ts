import type { Context } from 'koa';
import { createRoutes, type RouteFn } from '../../../http/route';
import type { LabAuthLevel, LabAuthService, LabCaller } from '../auth';
import { LabError } from '../envelope';
import type { ContainerService } from '../containers';
import type { GpuService } from '../gpus';
import type { LabJobService } from '../jobs';
import type { PaymentService } from '../payments';
import type { TicketService } from '../tickets';
import type { UserService } from '../users';
import { authRoutes } from './auth';
import { containerRoutes } from './containers';
import { gpuRoutes } from './gpus';
import { paymentRoutes } from './payments';
import { ticketRoutes } from './tickets';
import { generalRoutes } from './general';
import { userRoutes } from './users';

export interface LabServices {
  auth: LabAuthService;
  containers: ContainerService;
  jobs: LabJobService;
  users: UserService;
  tickets: TicketService;
  payments: PaymentService;
  gpus: GpuService;
}

export type LabRoute = RouteFn<LabAuthLevel>;
export const caller = (ctx: Context) => ctx.state.caller as LabCaller;

/** Every gpu-lab.md endpoint served so far (base /api/v1), one file per area. */
export function labRoutes(services: LabServices) {
  const api = createRoutes<LabAuthLevel>({ authenticate: services.auth.authenticate, publicLevel: 'public', errorSchema: LabError });
  for (const area of [generalRoutes, authRoutes, userRoutes, containerRoutes, ticketRoutes, paymentRoutes, gpuRoutes]) area(api.route, services);
  return api;
}
