import { createRoutes } from '../../../http/route';
import { BillingError } from '../envelope';
import type { BillingLevel, BillingServices } from './context';
import { adminRoutes } from './admin';
import { apiKeyRoutes } from './api-keys';
import { authRoutes } from './auth';
import { healthRoutes } from './health';
import { metricsRoutes } from './metrics';
import { planRoutes } from './plans';
import { invoiceRoutes } from './invoices';
import { subscriptionRoutes } from './subscriptions';
import { usageRoutes } from './usage';
import { webhookRoutes } from './webhooks';

/** Every billing.md endpoint this product serves, one file per area. */
export function billingRoutes(services: BillingServices) {
  const api = createRoutes<BillingLevel>({
    authenticate: (ctx, level) =>
      level === 'usage:write' || level === 'usage:read'
        ? services.apiKeys.authenticate(ctx, level)
        : services.auth.authenticate(ctx, level),
    publicLevel: 'public',
    errorSchema: BillingError,
  });
  for (const area of [
    healthRoutes,
    metricsRoutes,
    authRoutes,
    planRoutes,
    apiKeyRoutes,
    usageRoutes,
    adminRoutes,
    subscriptionRoutes,
    invoiceRoutes,
    webhookRoutes,
  ])
    area(api.route, services);
  return api;
}
