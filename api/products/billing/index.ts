import { createStripe } from '../../../adapters/stripe';
import { createHotPool, dbTimeouts } from '../../../core/db';
import type { ProductFactory } from '../types';
import { createInvoiceService } from './invoices';
import { createSubscriptionService } from './subscriptions';
import { createWebhookService } from './webhooks';
import { createApiKeyService } from './api-keys';
import { createBillingAuth } from './auth';
import { createCustomerService } from './customers';
import { createKeyCache } from './key-cache';
import { billingError } from './envelope';
import { createMailer } from './mailer';
import { createPlanService } from './plans';
import { billingRoutes } from './routes';
import { createUsageService } from './usage';

/** billing — usage-based SaaS billing of billing.md: customers, plans, API keys, usage metering. */
export const createBilling: ProductFactory = ({ config, db, temporal, logger }) => {
  const stripe = createStripe({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });
  const mail = createMailer(config);
  const auth = createBillingAuth({ db, config, logger, mail });
  const pool = createHotPool(config.DATABASE_URL, undefined, dbTimeouts(config));
  const keys = createKeyCache({
    databaseUrl: config.DATABASE_URL,
    timeouts: dbTimeouts(config),
    pool,
    logger,
  });
  const subscriptions = createSubscriptionService({ db, config, temporal, stripe, mail });
  const routes = billingRoutes({
    db,
    temporal,
    config,
    stripe,
    startedAt: Date.now(),
    auth,
    customers: createCustomerService({
      db,
      cancelSubscription: (id) => subscriptions.cancelForDeletion(id),
      forgetKeys: keys.forget,
    }),
    plans: createPlanService({ db }),
    apiKeys: createApiKeyService({ db, keys, config }),
    usage: createUsageService({ db, pool }),
    subscriptions,
    invoices: createInvoiceService({ db, config, stripe }),
    webhooks: createWebhookService({ db, config, temporal, stripe, logger }),
  });
  return {
    name: 'billing',
    title: 'Billing',
    router: routes.router,
    errorEnvelope: billingError,
    served: routes.served,
    openapi: (serverUrl) =>
      routes.openapi(
        {
          title: 'Billing API',
          version: '1',
          description:
            'Usage-based SaaS billing: customers, plans, checkout and subscriptions, API keys, usage metering and quotas, invoices, webhooks.',
        },
        serverUrl,
      ),
    start: () => auth.bootstrapAdmin(),
    stop: async () => {
      await keys.stop();
      await pool.end();
    },
  };
};
