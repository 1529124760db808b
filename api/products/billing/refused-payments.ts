import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger';
import { writeAudit } from '../../http/audit';

/**
 * Records a provider's payment notice that does not settle its invoice (another currency, another
 * amount; see paymentMismatch) and is therefore never applied: the audit trail gets an
 * `invoice.payment_refused` entry (denied, with why) and the log a warning, so an operator sees it
 * and settles it by hand. Returns the stored event's outcome, `refused: <why>`.
 */
export async function recordRefusedPayment(
  deps: { db: Knex; logger: Logger },
  refused: { provider: string; eventId: string; invoice: { id: string; customer_id: string }; why: string },
): Promise<string> {
  const { provider, eventId, invoice, why } = refused;
  await writeAudit(deps.db, 'billing', {
    actor: provider,
    action: 'invoice.payment_refused',
    target: `invoice:${invoice.id}`,
    outcome: 'denied',
    detail: { provider, event_id: eventId, customer_id: invoice.customer_id, reason: why },
  });
  deps.logger.warn(
    { provider, eventId, invoiceId: invoice.id, reason: why },
    'payment refused: it does not match its invoice',
  );
  return `refused: ${why}`.slice(0, 200);
}

/** The refused payments, newest first, from the audit trail: what an admin settles by hand. */
export async function listRefusedPayments(db: Knex, limit = 100) {
  const rows = await db('platform.audit_log')
    .where({ product: 'billing', action: 'invoice.payment_refused' })
    .orderBy('id', 'desc')
    .limit(limit);
  return rows.map((r) => ({
    invoice_id: String(r.target).replace(/^invoice:/, ''),
    customer_id: r.detail?.customer_id ?? null,
    provider: r.actor,
    event_id: r.detail?.event_id ?? null,
    reason: r.detail?.reason ?? null,
    received_at: new Date(r.created_at).toISOString(),
  }));
}
