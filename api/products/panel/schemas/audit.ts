import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { Limit, Offset } from './common';

export const ListAuditQuery = z
  .strictObject({
    actor: z.string().max(64).optional(),
    action: z.string().max(64).optional().openapi({ example: 'site.create' }),
    target: z.string().max(128).optional().openapi({ example: 'site:site_0mwvn6zxdcliwhmohof8' }),
    from: z.coerce.date().optional().openapi({ description: 'Inclusive start (ISO-8601)' }),
    to: z.coerce.date().optional().openapi({ description: 'Exclusive end (ISO-8601)' }),
    limit: Limit,
    offset: Offset,
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

export const AuditEntry = z
  .object({
    id: z.string(),
    actor: z.string().nullable(),
    action: z.string(),
    target: z.string().nullable(),
    ip: z.string().nullable(),
    outcome: z.enum(['success', 'failure', 'denied']),
    detail: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string().datetime(),
  })
  .openapi('AuditEntry');
export const AuditList = z
  .object({ logs: z.array(AuditEntry), total: z.number().int() })
  .openapi('AuditList');
