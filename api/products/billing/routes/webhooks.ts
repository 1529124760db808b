import * as s from '../schemas/webhooks';
import type { BillingRoute, BillingServices } from './context';

const BAD = {
  400: { description: 'Signature or token does not verify: nothing was read or changed' },
  503: { description: 'This provider is not configured' },
};

/** Payment providers' webhooks: verified first, stored once, acted on by signalling workflows. */
export function webhookRoutes(route: BillingRoute, { webhooks }: BillingServices): void {
  route({
    method: 'post',
    path: '/webhooks/stripe',
    tag: 'webhooks',
    auth: 'public',
    summary: 'Stripe events (Stripe-Signature, 300 s tolerance)',
    responses: { 200: { description: 'Received', schema: s.Received }, ...BAD },
    handler: async (_, ctx) =>
      webhooks.stripe(ctx.state.rawBody ?? '', ctx.get('stripe-signature') || undefined),
  });
  route({
    method: 'post',
    path: '/webhooks/xendit',
    tag: 'webhooks',
    auth: 'public',
    summary: 'Xendit invoice callbacks (x-callback-token)',
    body: s.AnyPayload,
    responses: { 200: { description: 'Received', schema: s.Received }, ...BAD },
    handler: async ({ body }, ctx) => webhooks.xendit(body, ctx.get('x-callback-token') || undefined),
  });
  route({
    method: 'post',
    path: '/webhooks/midtrans',
    tag: 'webhooks',
    auth: 'public',
    summary: 'Midtrans notifications (Basic server key and signature_key)',
    body: s.AnyPayload,
    responses: { 200: { description: 'Received', schema: s.Received }, ...BAD },
    handler: async ({ body }, ctx) => webhooks.midtrans(body, ctx.get('authorization') || undefined),
  });
}
