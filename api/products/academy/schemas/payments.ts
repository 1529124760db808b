import { z } from 'zod';
import { ok } from '../envelope';

/** A provider's payload: read only after its token or signature verifies. */
export const CallbackPayload = z.looseObject({}).openapi('PaymentCallbackPayload');

export const CallbackAnswer = ok(
  z.object({
    outcome: z.string().openapi({ example: 'paid' }),
    invoiceId: z.number().int().nullable(),
  }),
);
