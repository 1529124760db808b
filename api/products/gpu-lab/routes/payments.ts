import { caller } from './context';
import { answer } from '../envelope';
import * as s from '../schemas/payments';
import type { LabRoute, LabServices } from './context';

/** Packages (`paket`), their price quotes (`generate-harga`) and bank-transfer payments. */
export function paymentRoutes(route: LabRoute, { payments }: LabServices): void {
  route({
    method: 'post',
    path: '/api/v1/paket',
    tag: 'packages',
    auth: 'admin',
    summary: 'Create a package',
    body: s.CreatePackageBody,
    status: 201,
    responses: { 201: { description: 'Created', schema: s.PaketAnswer } },
    handler: async ({ body }, ctx) =>
      answer('Package created', await payments.createPackage(caller(ctx), body, ctx.ip)),
  });

  route({
    method: 'get',
    path: '/api/v1/paket',
    tag: 'packages',
    auth: 'user',
    summary: 'The packages on offer, cheapest first',
    responses: { 200: { description: 'Packages', schema: s.PaketList } },
    handler: async () => answer('Packages', await payments.packages()),
  });

  route({
    method: 'get',
    path: '/api/v1/paket/generate-harga/{paketId}',
    tag: 'packages',
    auth: 'user',
    summary: 'The amount to transfer for a package',
    description:
      'The price with its last three digits randomised (001–999), unique among open payments so the transfer can be matched; held for you for an hour. Record the transfer with POST /payment.',
    params: s.PaketIdParams,
    responses: { 200: { description: 'The amount', schema: s.QuoteAnswer } },
    handler: async ({ params }, ctx) =>
      answer('Package price', await payments.quote(caller(ctx), params.paketId)),
  });

  route({
    method: 'delete',
    path: '/api/v1/paket/{paketId}',
    tag: 'packages',
    auth: 'admin',
    summary: 'Delete a package (retired instead when payments refer to it)',
    params: s.PaketIdParams,
    responses: { 200: { description: 'Deleted or retired', schema: s.PaketDeleted } },
    handler: async ({ params }, ctx) =>
      answer('Package deleted', await payments.deletePackage(caller(ctx), params.paketId, ctx.ip)),
  });

  route({
    method: 'post',
    path: '/api/v1/payment',
    tag: 'payments',
    auth: 'user',
    summary: 'Record your bank transfer for a quote',
    description:
      'The amount must be exactly the generated price (400 otherwise); the payment then waits for an admin.',
    body: s.RecordPaymentBody,
    status: 201,
    responses: {
      201: { description: 'Recorded', schema: s.PaymentAnswer },
      409: { description: 'Quote expired or already used' },
    },
    handler: async ({ body }, ctx) =>
      answer('Payment recorded', await payments.record(caller(ctx), body, ctx.ip)),
  });

  route({
    method: 'get',
    path: '/api/v1/payment/mypayments',
    tag: 'payments',
    auth: 'user',
    summary: 'Your payments',
    responses: { 200: { description: 'Payments', schema: s.PaymentList } },
    handler: async (_, ctx) => answer('Your payments', await payments.mine(caller(ctx))),
  });

  route({
    method: 'get',
    path: '/api/v1/payment',
    tag: 'payments',
    auth: 'admin',
    summary: "Every user's payments (filter by status)",
    query: s.ListPaymentsQuery,
    responses: { 200: { description: 'Payments', schema: s.PaymentList } },
    handler: async ({ query }) => answer('All payments', await payments.all(query)),
  });

  route({
    method: 'patch',
    path: '/api/v1/payment/{paymentId}',
    tag: 'payments',
    auth: 'admin',
    summary: 'Approve or reject a recorded transfer (once; a rejection needs a reason)',
    params: s.PaymentIdParams,
    body: s.DecidePaymentBody,
    responses: {
      200: { description: 'Decided', schema: s.PaymentAnswer },
      409: { description: 'Not pending (already decided)' },
    },
    handler: async ({ params, body }, ctx) =>
      answer('Payment status updated', await payments.decide(caller(ctx), params.paymentId, body, ctx.ip)),
  });

  route({
    method: 'delete',
    path: '/api/v1/payment/{paymentId}',
    tag: 'payments',
    auth: 'admin',
    summary: 'Delete a payment that was not approved',
    params: s.PaymentIdParams,
    responses: {
      200: { description: 'Deleted', schema: s.Deleted },
      409: { description: 'Approved payments stay' },
    },
    handler: async ({ params }, ctx) =>
      answer('Payment deleted', await payments.remove(caller(ctx), params.paymentId, ctx.ip)),
  });
}
