import type { Context } from 'koa';
import type { RouteFn } from '../../../http/route';
import type { LabAuthLevel, LabCaller, LabAuthService } from '../auth';
import type { ContainerService } from '../containers';
import type { GpuService } from '../gpus';
import type { LabJobService } from '../jobs';
import type { PaymentService } from '../payments';
import type { TicketService } from '../tickets';
import type { UserService } from '../users';

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
