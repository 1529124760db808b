import type { Knex } from 'knex';
import { AppError, Conflict } from '../../../core/errors';

/** An invoice row as payments read it (locked). */
export interface InvoiceForPayment {
  id: number;
  enrollment_id: number;
  user_id: number;
  virtual_account_number: string;
  amount_idr: string | number;
  status: string;
  due_at: Date;
}

/** The invoice a provider's reference (`academy-invoice-<id>`: Xendit external_id, Midtrans order_id) names. */
export const invoiceReference = (invoiceId: number) => `academy-invoice-${invoiceId}`;
export function invoiceIdOf(reference: string): number | null {
  const m = /^academy-invoice-([1-9]\d{0,9})$/.exec(reference);
  return m && Number(m[1]) <= 2 ** 31 - 1 ? Number(m[1]) : null;
}

/** Locks the invoice (by id, or its enrollment's) for a payment: only one payment of it is ever applied. */
export const lockInvoice = (
  trx: Knex.Transaction,
  which: { id: number } | { enrollment_id: number },
): Promise<InvoiceForPayment | undefined> => trx('academy.invoices').where(which).forUpdate().first();

/**
 * Why this invoice cannot take a payment now (null: it can). Unpaid and not yet due is the only
 * state that can; `field` is the input that named it.
 */
export function unpayable(inv: InvoiceForPayment | undefined, field: string): AppError | null {
  if (!inv) return new AppError('not_found', 404, 'no such invoice', field);
  if (inv.status === 'Paid') return new Conflict('the invoice is already paid', field);
  if (inv.status !== 'Unpaid' || new Date(inv.due_at).getTime() <= Date.now())
    return new Conflict('the invoice has expired: the learner may enroll again', field);
  return null;
}

/** Marks the invoice paid, in the caller's transaction (the enrollment workflow is told after the commit). */
export async function settleInvoice(
  trx: Knex.Transaction,
  invoiceId: number,
  by: { provider: 'xendit' | 'midtrans' | 'admin'; ref: string },
): Promise<void> {
  await trx('academy.invoices').where({ id: invoiceId, status: 'Unpaid' }).update({
    status: 'Paid',
    paid_at: trx.fn.now(),
    paid_by: by.provider,
    paid_ref: by.ref,
    updated_at: trx.fn.now(),
  });
}
