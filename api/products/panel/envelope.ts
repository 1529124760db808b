import { z } from 'zod';
import type { AppError } from '../../../core/errors';
import '../../http/route';

/** panel.md shows bare JSON objects; an error is `{ error: { code, message, field? } }`. */
export const PanelError = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({ example: 'domain: must be a valid hostname such as example.com' }),
      field: z.string().optional(),
    }),
  })
  .openapi('Error');

export const panelError = (err: AppError) => ({
  error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) },
});
