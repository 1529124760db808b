import type { Knex } from 'knex';

interface AuditRow {
  id: string | number;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  outcome: 'success' | 'failure' | 'denied';
  detail: Record<string, unknown> | null;
  created_at: Date;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** The panel's audit trail, newest first; rows are written by writeAudit where each action happens. */
export function createAuditService({ db }: { db: Knex }) {
  return {
    async list(q: AuditQuery) {
      const query = db('platform.audit_log')
        .where({ product: 'panel' })
        .modify((b) => {
          if (q.actor) b.where({ actor: q.actor });
          if (q.action) b.where({ action: q.action });
          if (q.target) b.where({ target: q.target });
          if (q.from) b.where('created_at', '>=', q.from);
          if (q.to) b.where('created_at', '<', q.to);
        });
      const [rows, count] = await Promise.all([
        query.clone().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset),
        query.clone().count<{ n: string }[]>('* as n'),
      ]);
      return {
        logs: (rows as AuditRow[]).map((r) => ({
          id: String(r.id),
          actor: r.actor,
          action: r.action,
          target: r.target,
          ip: r.ip,
          outcome: r.outcome,
          detail: r.detail,
          created_at: r.created_at.toISOString(),
        })),
        total: Number(count[0].n),
      };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
