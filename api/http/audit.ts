import type { Knex } from 'knex';

export interface AuditEntry {
  actor: string | null;
  action: string;
  target?: string | null;
  ip?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  detail?: Record<string, unknown>;
}

/** Appends one row to the audit trail; pass the unit of work's transaction when there is one. */
export async function writeAudit(db: Knex | Knex.Transaction, product: string, entry: AuditEntry): Promise<void> {
  await db('platform.audit_log').insert({
    product,
    actor: entry.actor,
    action: entry.action,
    target: entry.target ?? null,
    ip: entry.ip ?? null,
    outcome: entry.outcome,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
}
