import { z } from 'zod';
import type { AppError } from '../../../core/errors';
import '../../http/route';

/**
 * paas.md answers bare JSON objects; an error is `{ "error": "<message>" }`, the message naming the
 * field (`config.ports.0: must be 1-65535`) or the reason (`Service already exists for this tenant`).
 * `field` and a machine-readable `code` ride beside it.
 */
export const PaasError = z
  .object({
    error: z.string().openapi({ example: 'Service already exists for this tenant' }),
    code: z.string().openapi({ example: 'invalid_request' }),
    field: z.string().optional(),
  })
  .openapi('Error');

export const paasError = (err: AppError) => ({
  error: err.message,
  code: err.code,
  ...(err.field ? { field: err.field } : {}),
});

/** `{ message }`: what paas.md answers for an accepted action. */
export const Message = z.object({ message: z.string() }).openapi('Message');
