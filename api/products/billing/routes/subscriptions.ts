import { reply } from '../../../http/route';
import { ok } from '../envelope';
import * as s from '../schemas/subscriptions';
import { caller, type BillingRoute, type BillingServices } from './context';

/** Checkout and the caller's subscription; changes go to its workflow. */
export function subscriptionRoutes(route: BillingRoute, { subscriptions, auth }: BillingServices): void {
  route({
    method: 'post',
    path: '/api/v1/checkout/create',
    tag: 'checkout',
    auth: 'public',
    summary:
      'A Stripe Checkout Session for a plan; the subscription starts when Stripe says checkout completed',
    description:
      "With the customer's bearer token the session is theirs and its URL is answered (201); without one its URL " +
      'is mailed to the account of customer_email and the answer is 202 whether or not that account exists. ' +
      'A newer checkout supersedes an unfinished one.',
    body: s.CheckoutBody,
    status: 201,
    responses: {
      201: { description: 'Created (a token came along)', schema: s.CheckoutCreated },
      202: { description: "Accepted: the page goes to the account's mailbox", schema: s.CheckoutCreated },
      400: {
        description: 'No such active plan, a return URL not allowed, or another account than the token',
      },
      401: { description: 'A token that is not valid' },
      409: { description: 'Already subscribed' },
    },
    handler: async ({ body }, ctx) => {
      // Public, but a token that comes along binds the checkout to its customer (and must be valid).
      if (ctx.get('authorization')) await auth.authenticate(ctx, 'customer');
      const who = ctx.get('authorization') ? caller(ctx) : null;
      const result = await subscriptions.createCheckout(body, ctx.ip, who);
      return who ? ok(result) : reply(202, ok(result));
    },
  });
  route({
    method: 'get',
    path: '/api/v1/checkout/success',
    tag: 'checkout',
    auth: 'public',
    summary: "Checkout's success redirect: the subscription the session made (JSON)",
    query: s.CheckoutSuccessQuery,
    responses: {
      200: { description: 'The subscription', schema: s.CheckoutResult },
      404: { description: 'No such session' },
    },
    handler: async ({ query }) => ok(await subscriptions.checkoutResult(query.session_id)),
  });
  route({
    method: 'get',
    path: '/api/v1/subscriptions',
    tag: 'subscriptions',
    auth: 'customer',
    summary: "The caller's live subscription",
    responses: {
      200: { description: 'Subscription', schema: s.SubscriptionAnswer },
      404: { description: 'None' },
    },
    handler: async (_, ctx) => ok(await subscriptions.current(caller(ctx))),
  });
  route({
    method: 'post',
    path: '/api/v1/subscriptions/cancel',
    tag: 'subscriptions',
    auth: 'customer',
    summary: 'Cancel at period end (default) or immediately',
    body: s.CancelBody,
    responses: { 200: { description: 'Canceled', schema: s.Canceled } },
    handler: async ({ body }, ctx) => ok(await subscriptions.cancel(caller(ctx), body, ctx.ip)),
  });
  route({
    method: 'post',
    path: '/api/v1/subscriptions/reactivate',
    tag: 'subscriptions',
    auth: 'customer',
    summary: 'Undo a cancel at period end, before the period ends',
    responses: {
      200: { description: 'Reactivated', schema: s.Reactivated },
      409: { description: 'Ended, or not set to cancel' },
    },
    handler: async (_, ctx) => ok(await subscriptions.reactivate(caller(ctx), ctx.ip)),
  });
  route({
    method: 'put',
    path: '/api/v1/subscriptions/upgrade',
    tag: 'subscriptions',
    auth: 'customer',
    summary:
      'Change plan now; with proration a rise is invoiced for the rest of the period, a fall taken off the period invoice',
    body: s.UpgradeBody,
    responses: { 200: { description: 'Changed', schema: s.Upgraded } },
    handler: async ({ body }, ctx) => ok(await subscriptions.changePlan(caller(ctx), body, ctx.ip)),
  });
  route({
    method: 'put',
    path: '/api/v1/subscriptions/payment-method',
    tag: 'subscriptions',
    auth: 'customer',
    summary: 'The Stripe payment method the next charges use',
    body: s.PaymentMethodBody,
    responses: { 200: { description: 'Updated', schema: s.Message } },
    handler: async ({ body }, ctx) => {
      await subscriptions.setPaymentMethod(caller(ctx), body.payment_method_id, ctx.ip);
      return ok('Payment method updated successfully');
    },
  });
  route({
    method: 'put',
    path: '/admin/customers/{id}/subscription',
    tag: 'admin',
    auth: 'admin',
    summary: "Override a customer's subscription: plan, status, trial days added",
    params: s.CustomerIdParams,
    body: s.OverrideBody,
    responses: {
      200: { description: 'Overridden', schema: s.Overridden },
      404: { description: 'No live subscription' },
    },
    handler: async ({ params, body }, ctx) =>
      ok(await subscriptions.adminOverride(caller(ctx), params.id, body, ctx.ip)),
  });
}
