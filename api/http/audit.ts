import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Middleware } from 'koa';
import type { Knex } from 'knex';
import { AppError } from '../../core/errors';

export interface AuditEntry {
  actor: string | null;
  action: string;
  target?: string | null;
  ip?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  detail?: Record<string, unknown>;
}

/** Per request under auditRefusals: whether a service has already written a refusal row itself. */
const served = new AsyncLocalStorage<{ refusalWritten: boolean }>();

/** Appends one row to the audit trail; pass the unit of work's transaction when there is one. */
export async function writeAudit(
  db: Knex | Knex.Transaction,
  product: string,
  entry: AuditEntry,
): Promise<void> {
  await db('platform.audit_log').insert({
    product,
    actor: entry.actor,
    action: entry.action,
    target: entry.target ?? null,
    ip: entry.ip ?? null,
    outcome: entry.outcome,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
  const request = served.getStore();
  if (request && entry.outcome !== 'success') request.refusalWritten = true;
}

/**
 * Middleware for a sensitive route: whatever refuses the call (the role check, the schema, a rule
 * in the service) leaves a row under `action`: `denied` for 403, `failure` otherwise, with the
 * error's code, message and field. A service that wrote its own refusal row (with more detail)
 * is not doubled. A 401 writes nothing: no one is known to have asked.
 */
export function auditRefusals(opts: {
  db: Knex;
  product: string;
  action: string;
  actor: (ctx: Context) => string | null;
  target?: (ctx: Context) => string | null;
}): Middleware {
  return async (ctx, next) => {
    const request = { refusalWritten: false };
    try {
      await served.run(request, next);
    } catch (err) {
      const known = err instanceof AppError ? err : null;
      if (!request.refusalWritten && known?.status !== 401) {
        await writeAudit(opts.db, opts.product, {
          actor: opts.actor(ctx),
          action: opts.action,
          target: opts.target?.(ctx) ?? null,
          ip: ctx.ip,
          outcome: known?.status === 403 ? 'denied' : 'failure',
          detail: known
            ? { reason: known.code, message: known.message, ...(known.field ? { field: known.field } : {}) }
            : { reason: 'internal' },
        }).catch(() => undefined); // the refusal itself is what the caller must see
      }
      throw err;
    }
  };
}
