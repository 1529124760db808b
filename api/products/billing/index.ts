import type { ProductFactory } from '../types';
import { billingError } from './envelope';
import { billingRoutes } from './routes';

/** billing — usage-based SaaS billing of billing.md. First slice: skeleton and health. */
export const createBilling: ProductFactory = ({ db, temporal }) => {
  const routes = billingRoutes({ db, temporal, startedAt: Date.now() });
  return {
    name: 'billing',
    title: 'Billing',
    router: routes.router,
    errorEnvelope: billingError,
    served: routes.served,
    openapi: (serverUrl) =>
      routes.openapi({ title: 'Billing API', version: '1', description: 'Usage-based SaaS billing.' }, serverUrl),
  };
};
