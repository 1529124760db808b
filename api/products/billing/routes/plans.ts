import { ok } from '../envelope';
import * as s from '../schemas/plans';
import { caller, type BillingRoute, type BillingServices } from './context';

/** Plans: the public catalog and the admins' configuration. */
export function planRoutes(route: BillingRoute, { plans }: BillingServices): void {
  route({
    method: 'get',
    path: '/api/v1/plans',
    tag: 'plans',
    auth: 'public',
    summary: 'Plans on offer (active ones)',
    query: s.PlansQuery,
    responses: { 200: { description: 'Plans', schema: s.PlanList } },
    handler: async () => ok(await plans.list({ includeInactive: false })),
  });
  route({
    method: 'get',
    path: '/api/v1/plans/{id}',
    tag: 'plans',
    auth: 'public',
    summary: 'One plan on offer',
    params: s.PlanIdParams,
    responses: {
      200: { description: 'Plan', schema: s.PlanAnswer },
      404: { description: 'No such active plan' },
    },
    handler: async ({ params }) => ok(await plans.get(params.id)),
  });
  route({
    method: 'get',
    path: '/admin/plans',
    tag: 'admin',
    auth: 'admin',
    summary: 'Every plan, inactive ones too (?active= filters)',
    query: s.PlansQuery,
    responses: { 200: { description: 'Plans', schema: s.PlanList } },
    handler: async ({ query }) => ok(await plans.list({ includeInactive: true, active: query.active })),
  });
  route({
    method: 'post',
    path: '/admin/plans',
    tag: 'admin',
    auth: 'admin',
    summary: 'Create a plan',
    body: s.CreatePlanBody,
    status: 201,
    responses: { 201: { description: 'Created', schema: s.PlanAnswer }, 409: { description: 'Name taken' } },
    handler: async ({ body }, ctx) => ok(await plans.create(caller(ctx), body, ctx.ip)),
  });
  route({
    method: 'put',
    path: '/admin/plans/{id}',
    tag: 'admin',
    auth: 'admin',
    summary: 'Update a plan; subscriptions get the new terms from their next period',
    params: s.PlanIdParams,
    body: s.UpdatePlanBody,
    responses: {
      200: { description: 'Updated', schema: s.PlanUpdated },
      404: { description: 'No such plan' },
    },
    handler: async ({ params, body }, ctx) => ok(await plans.update(caller(ctx), params.id, body, ctx.ip)),
  });
}
