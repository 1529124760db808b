import { createRoutes } from '../../../http/route';
import type { LabAuthLevel } from '../auth';
import { LabError } from '../envelope';
import type { LabServices } from './context';
import { authRoutes } from './auth';
import { containerRoutes } from './containers';
import { gpuRoutes } from './gpus';
import { paymentRoutes } from './payments';
import { ticketRoutes } from './tickets';
import { generalRoutes } from './general';
import { userRoutes } from './users';

/** Every gpu-lab.md endpoint served so far (base /api/v1), one file per area. */
export function labRoutes(services: LabServices) {
  const api = createRoutes<LabAuthLevel>({
    authenticate: services.auth.authenticate,
    publicLevel: 'public',
    errorSchema: LabError,
  });
  for (const area of [
    generalRoutes,
    authRoutes,
    userRoutes,
    containerRoutes,
    ticketRoutes,
    paymentRoutes,
    gpuRoutes,
  ])
    area(api.route, services);
  return api;
}
