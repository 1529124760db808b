import { answer } from '../envelope';
import * as s from '../schemas/payments';
import type { AcademyRoute, AcademyServices } from './context';

const REFUSALS = {
  400: { description: 'Token or signature does not verify: nothing was read or stored' },
  404: { description: 'No such invoice (external_id / order_id); stored with its refusal' },
  409: { description: 'The invoice is expired or already paid; stored with its refusal' },
  422: { description: "Not the invoice's amount or virtual account; stored with its refusal, never applied" },
  503: { description: 'This provider is not configured' },
};

/** The payment providers' callbacks for academy's invoices (additions to academy.md, named in its issue). */
export function paymentRoutes(route: AcademyRoute, { payments }: AcademyServices): void {
  route({
    method: 'post',
    path: '/api/v1/payments/callbacks/xendit',
    tag: 'payments',
    auth: 'public',
    summary: 'Xendit fixed virtual account paid callback (x-callback-token)',
    description:
      "external_id is the invoice's reference, academy-invoice-<id>. Stored once by its id: a replay is answered as the first time and changes nothing.",
    body: s.CallbackPayload,
    responses: { 200: { description: 'Received', schema: s.CallbackAnswer }, ...REFUSALS },
    handler: async ({ body }, ctx) =>
      answer(
        'Payment notification received.',
        await payments.xendit(body, ctx.get('x-callback-token') || undefined),
      ),
  });

  route({
    method: 'post',
    path: '/api/v1/payments/callbacks/midtrans',
    tag: 'payments',
    auth: 'public',
    summary: 'Midtrans bank-transfer notification (signature_key)',
    description:
      "order_id is the invoice's reference, academy-invoice-<id>; signature_key is SHA-512(order_id + status_code + gross_amount + server key). Stored once by transaction_id.",
    body: s.CallbackPayload,
    responses: { 200: { description: 'Received', schema: s.CallbackAnswer }, ...REFUSALS },
    handler: async ({ body }) => answer('Payment notification received.', await payments.midtrans(body)),
  });
}
