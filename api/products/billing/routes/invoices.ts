import { reply } from '../../../http/route';
import { ok } from '../envelope';
import { listRefusedPayments } from '../refused-payments';
import * as s from '../schemas/invoices';
import { caller, type BillingRoute, type BillingServices } from './context';

/** The caller's invoices, and the admins' list of failed ones. */
export function invoiceRoutes(route: BillingRoute, { invoices, customers, db }: BillingServices): void {
  route({
    method: 'get',
    path: '/api/v1/invoices',
    tag: 'invoices',
    auth: 'customer',
    summary: 'Invoices, newest first (?status, limit, offset)',
    query: s.InvoicesQuery,
    responses: { 200: { description: 'Invoices', schema: s.InvoiceList } },
    handler: async ({ query }, ctx) => ok(await invoices.list(caller(ctx), query)),
  });
  route({
    method: 'get',
    path: '/api/v1/invoices/{id}',
    tag: 'invoices',
    auth: 'customer',
    summary: 'One invoice with its lines',
    params: s.InvoiceIdParams,
    responses: {
      200: { description: 'Invoice', schema: s.InvoiceDetail },
      404: { description: 'No such invoice of yours' },
    },
    handler: async ({ params }, ctx) => ok(await invoices.detail(caller(ctx), params.id)),
  });
  route({
    method: 'get',
    path: '/api/v1/invoices/{id}/pdf',
    tag: 'invoices',
    auth: 'customer',
    summary: 'The invoice as a PDF',
    params: s.InvoiceIdParams,
    responses: { 200: { description: 'application/pdf' }, 404: { description: 'No such invoice of yours' } },
    handler: async ({ params }, ctx) => {
      const { number, body } = await invoices.pdf(caller(ctx), params.id);
      return reply(200, body, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${number}.pdf"`,
      });
    },
  });
  route({
    method: 'post',
    path: '/api/v1/invoices/{id}/pay',
    tag: 'invoices',
    auth: 'customer',
    summary: 'Pay an open or failed invoice: a Stripe payment page; success arrives by webhook',
    params: s.InvoiceIdParams,
    responses: {
      200: { description: 'Payment page', schema: s.PayAnswer },
      409: { description: 'Already paid or void' },
    },
    handler: async ({ params }, ctx) => ok(await invoices.pay(caller(ctx), params.id, ctx.ip)),
  });
  route({
    method: 'get',
    path: '/admin/invoices/failed',
    tag: 'admin',
    auth: 'admin',
    summary: 'Invoices whose payment failed',
    responses: { 200: { description: 'Failed invoices', schema: s.FailedInvoices } },
    handler: async () => ok(await invoices.failed()),
  });
  route({
    method: 'get',
    path: '/admin/payments/refused',
    tag: 'admin',
    auth: 'admin',
    summary: 'Provider payments refused as not matching their invoice (amount or currency), newest 100',
    responses: { 200: { description: 'Refused payments', schema: s.RefusedPayments } },
    handler: async () => ok(await listRefusedPayments(db)),
  });
  route({
    method: 'get',
    path: '/admin/analytics/overview',
    tag: 'admin',
    auth: 'admin',
    summary: 'Revenue, live subscriptions and churn over a period',
    query: s.AnalyticsQuery,
    responses: { 200: { description: 'Overview', schema: s.Overview } },
    handler: async ({ query }) => ok(await customers.overview(query)),
  });
}
