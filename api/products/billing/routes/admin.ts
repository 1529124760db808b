import { ok } from '../envelope';
import * as s from '../schemas/admin';
import { caller, type BillingRoute, type BillingServices } from './context';

/** Admins: customers, credits, usage across everyone. */
export function adminRoutes(route: BillingRoute, { customers }: BillingServices): void {
  route({
    method: 'get',
    path: '/admin/customers',
    tag: 'admin',
    auth: 'admin',
    summary: 'Customers: search by email or name, filter by status, paginate',
    query: s.CustomersQuery,
    responses: { 200: { description: 'A page of customers', schema: s.CustomerList } },
    handler: async ({ query }) => ok(await customers.list(query)),
  });
  route({
    method: 'get',
    path: '/admin/customers/{id}',
    tag: 'admin',
    auth: 'admin',
    summary: 'One customer with subscription, usage and credit balance',
    params: s.CustomerIdParams,
    responses: {
      200: { description: 'Customer', schema: s.CustomerDetail },
      404: { description: 'No such customer' },
    },
    handler: async ({ params }) => ok(await customers.detail(params.id)),
  });
  route({
    method: 'post',
    path: '/admin/customers/{id}/credit',
    tag: 'admin',
    auth: 'admin',
    summary: "Grant credit (cents) on the customer's ledger; invoices draw from the balance",
    params: s.CustomerIdParams,
    body: s.CreditBody,
    status: 201,
    responses: {
      201: { description: 'Granted', schema: s.CreditAnswer },
      404: { description: 'No such customer' },
    },
    handler: async ({ params, body }, ctx) =>
      ok(await customers.credit(caller(ctx), params.id, body, ctx.ip)),
  });
  route({
    method: 'get',
    path: '/admin/analytics/usage',
    tag: 'admin',
    auth: 'admin',
    summary: 'Usage across all customers over a period',
    query: s.AnalyticsQuery,
    responses: { 200: { description: 'Usage', schema: s.UsageAnalytics } },
    handler: async ({ query }) => ok(await customers.usageAnalytics(query)),
  });
}
