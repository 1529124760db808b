import type { ProductFactory } from '../types';
import { createLabAuthService } from './auth';
import { createContainerService } from './containers';
import { labError } from './envelope';
import { createGpuService } from './gpus';
import { createHostReader } from './host-read';
import { createLabJobService } from './jobs';
import { labRoutes } from './routes';
import { createPaymentService } from './payments';
import { createTicketService } from './tickets';
import { createUserService } from './users';

/** gpu-lab — the GPU container lab of gpu-lab.md: researchers, their containers, packages and payments. */
export const createGpuLab: ProductFactory = ({ config, db, temporal, logger }) => {
  const auth = createLabAuthService({ db, config, logger });
  const readFromHost = createHostReader(temporal);
  const jobs = createLabJobService({ db });
  const routes = labRoutes({
    auth,
    jobs,
    containers: createContainerService({ db, config, temporal, readFromHost, jobs, logger }),
    users: createUserService({ db }),
    tickets: createTicketService({ db }),
    payments: createPaymentService({ db, temporal, config }),
    gpus: createGpuService({ db, config, readFromHost }),
  });
  return {
    name: 'gpu-lab',
    title: 'GPU Lab',
    router: routes.router,
    errorEnvelope: labError,
    served: routes.served,
    openapi: (serverUrl) =>
      routes.openapi(
        {
          title: 'GPU Lab API',
          version: '1',
          description: 'GPU container lab: accounts, containers on GPU hosts, packages, payments, tickets.',
        },
        serverUrl,
      ),
    start: () => auth.bootstrapAdmin(),
  };
};
