import { ok } from '../envelope';
import * as s from '../schemas/api-keys';
import { caller, type BillingRoute, type BillingServices } from './context';

/** The caller's API keys; a key is shown only in the create and rotate answers. */
export function apiKeyRoutes(route: BillingRoute, { apiKeys }: BillingServices): void {
  route({
    method: 'get',
    path: '/api/v1/api-keys',
    tag: 'api-keys',
    auth: 'customer',
    summary: 'Live keys (prefix only)',
    responses: { 200: { description: 'Keys', schema: s.KeyList } },
    handler: async (_, ctx) => ok(await apiKeys.list(caller(ctx))),
  });
  route({
    method: 'post',
    path: '/api/v1/api-keys',
    tag: 'api-keys',
    auth: 'customer',
    summary: 'Create a key (shown once)',
    body: s.CreateKeyBody,
    status: 201,
    responses: { 201: { description: 'Created', schema: s.KeyCreated } },
    handler: async ({ body }, ctx) => ok(await apiKeys.create(caller(ctx), body, ctx.ip)),
  });
  route({
    method: 'put',
    path: '/api/v1/api-keys/{id}',
    tag: 'api-keys',
    auth: 'customer',
    summary: 'Rename a key or change its scopes',
    params: s.KeyIdParams,
    body: s.UpdateKeyBody,
    responses: {
      200: { description: 'Updated', schema: s.KeyAnswer },
      404: { description: 'No such live key of yours' },
    },
    handler: async ({ params, body }, ctx) => ok(await apiKeys.update(caller(ctx), params.id, body, ctx.ip)),
  });
  route({
    method: 'delete',
    path: '/api/v1/api-keys/{id}',
    tag: 'api-keys',
    auth: 'customer',
    summary: 'Revoke a key (at once)',
    params: s.KeyIdParams,
    responses: {
      200: { description: 'Revoked', schema: s.Message },
      404: { description: 'No such live key of yours' },
    },
    handler: async ({ params }, ctx) => {
      await apiKeys.revoke(caller(ctx), params.id, ctx.ip);
      return ok('API key revoked successfully');
    },
  });
  route({
    method: 'post',
    path: '/api/v1/api-keys/{id}/rotate',
    tag: 'api-keys',
    auth: 'customer',
    summary:
      'A new secret for the key (shown once); the old one ends (after BILLING_KEY_ROTATION_OVERLAP_SECONDS)',
    params: s.KeyIdParams,
    responses: {
      200: { description: 'Rotated', schema: s.KeyRotated },
      404: { description: 'No such live key of yours' },
    },
    handler: async ({ params }, ctx) => ok(await apiKeys.rotate(caller(ctx), params.id, ctx.ip)),
  });
}
