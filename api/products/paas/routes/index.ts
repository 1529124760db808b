import { createRoutes } from '../../../http/route';
import type { PaasAuthLevel } from '../auth';
import { PaasError } from '../envelope';
import { adminRoutes } from './admin';
import { deploymentRoutes } from './deployments';
import { authRoutes } from './auth';
import type { PaasServices } from './context';
import { healthRoutes } from './health';
import { serviceRoutes } from './services';
import { templateRoutes } from './templates';
import { userRoutes } from './users';

/** Every paas.md endpoint served (base /api/v1, and /health), one file per area. */
export function paasRoutes(services: PaasServices) {
  const api = createRoutes<PaasAuthLevel>({
    authenticate: services.auth.authenticate,
    publicLevel: 'public',
    errorSchema: PaasError,
  });
  for (const area of [
    healthRoutes,
    authRoutes,
    userRoutes,
    adminRoutes,
    templateRoutes,
    serviceRoutes,
    deploymentRoutes,
  ])
    area(api.route, services);
  return api;
}
