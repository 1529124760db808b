import type { Context } from 'koa';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { Config } from '../../../../core/config';
import type { Temporal } from '../../../../core/temporal';
import type { RouteFn } from '../../../http/route';
import type { ApiKeyService, KeyCaller, Scope } from '../api-keys';
import type { BillingAuth, BillingCaller } from '../auth';
import type { CustomerService } from '../customers';
import type { PlanService } from '../plans';
import type { InvoiceService } from '../invoices';
import type { SubscriptionService } from '../subscriptions';
import type { UsageService } from '../usage';
import type { WebhookService } from '../webhooks';

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
