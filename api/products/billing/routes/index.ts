import type { Context } from 'koa';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { Config } from '../../../../core/config';
import type { Temporal } from '../../../../core/temporal';
import { createRoutes, type RouteFn } from '../../../http/route';
import type { ApiKeyService, KeyCaller, Scope } from '../api-keys';
import type { BillingAuth, BillingCaller } from '../auth';
import type { CustomerService } from '../customers';
import { BillingError } from '../envelope';
import type { PlanService } from '../plans';
import type { InvoiceService } from '../invoices';
import type { SubscriptionService } from '../subscriptions';
import type { UsageService } from '../usage';
import type { WebhookService } from '../webhooks';
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

/** Who may call a route: anyone, a customer's JWT, an admin's JWT, or an API key with a scope. */
export type BillingLevel = 'public' | 'customer' | 'admin' | Scope;

export interface BillingServices {
  db: Knex;
  temporal: Temporal;
  config: Config;
  stripe: Stripe;
  startedAt: number;
  auth: BillingAuth;
  customers: CustomerService;
  plans: PlanService;
  apiKeys: ApiKeyService;
  usage: UsageService;
  subscriptions: SubscriptionService;
  invoices: InvoiceService;
  webhooks: WebhookService;
}

export type BillingRoute = RouteFn<BillingLevel>;
export const caller = (ctx: Context) => ctx.state.caller as BillingCaller;
export const keyOf = (ctx: Context) => ctx.state.key as KeyCaller;

/** Every billing.md endpoint this product serves, one file per area. */
export function billingRoutes(services: BillingServices) {
  const api = createRoutes<BillingLevel>({
    authenticate: (ctx, level) => (level === 'usage:write' || level === 'usage:read' ? services.apiKeys.authenticate(ctx, level) : services.auth.authenticate(ctx, level)),
    publicLevel: 'public',
    errorSchema: BillingError,
  });
  for (const area of [healthRoutes, metricsRoutes, authRoutes, planRoutes, apiKeyRoutes, usageRoutes, adminRoutes, subscriptionRoutes, invoiceRoutes, webhookRoutes]) area(api.route, services);
  return api;
}
