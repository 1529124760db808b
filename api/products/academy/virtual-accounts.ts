import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';

/** A virtual account number: the bank's merchant prefix, then random digits, 13 digits in all. */
export function newVirtualAccountNumber(prefix: string): string {
  let n = prefix;
  while (n.length < 13) n += String(randomInt(10));
  return n;
}

const isOpenNumberTaken = (err: unknown) =>
  (err as { code?: string; constraint?: string }).code === '23505' &&
  (err as { constraint?: string }).constraint === 'invoices_open_virtual_account';

/**
 * Inserts the enrollment's invoice with a virtual account number no other open invoice has: the
 * unique partial index decides (a savepoint per try), so two enrollments at once never share one.
 */
export async function insertInvoice(
  trx: Knex.Transaction,
  invoice: { enrollmentId: number; userId: number; amountIdr: number; dueAt: Date },
  prefix: string,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await trx.transaction(async (sp) => {
        const [row] = await sp('academy.invoices')
          .insert({
            enrollment_id: invoice.enrollmentId,
            user_id: invoice.userId,
            virtual_account_number: newVirtualAccountNumber(prefix),
            amount_idr: invoice.amountIdr,
            due_at: invoice.dueAt,
          })
          .returning('*');
        return row;
      });
    } catch (err) {
      if (!isOpenNumberTaken(err) || attempt >= 8) throw err;
    }
  }
}
