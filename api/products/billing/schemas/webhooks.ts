import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod

export const Received = z.object({ received: z.literal(true) }).openapi('WebhookReceived');
export const AnyPayload = z.looseObject({}).openapi('ProviderNotification');
