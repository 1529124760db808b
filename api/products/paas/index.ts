import type { ProductFactory } from '../types';
import { createPaasAuthService } from './auth';
import { createDeploymentStarts } from './deployments';
import { paasError } from './envelope';
import { paasRoutes } from './routes';
import { createServiceService } from './services';
import { createTemplateService } from './templates';
import { createUserService } from './users';

/** paas — the multi-tenant service platform of paas.md: tenants' services from templates, deployed on Docker. */
export const createPaas: ProductFactory = ({ config, db, temporal, logger }) => {
  const auth = createPaasAuthService({ db, config, logger });
  const deployments = createDeploymentStarts({ db, config, temporal, logger });
  const routes = paasRoutes({
    auth,
    users: createUserService({ db }),
    templates: createTemplateService({ db }),
    services: createServiceService({ db, config, temporal, logger, starts: deployments }),
    deployments,
  });
  return {
    name: 'paas',
    title: 'PaaS',
    router: routes.router,
    errorEnvelope: paasError,
    served: routes.served,
    openapi: (serverUrl) =>
      routes.openapi(
        {
          title: 'PaaS API',
          version: '1',
          description:
            'Multi-tenant service platform: accounts and tenants, a template catalog, services deployed as containers.',
        },
        serverUrl,
      ),
    start: () => auth.bootstrapAdmin(),
  };
};
