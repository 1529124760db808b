import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { AppError, Unavailable } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import {
  paymentMismatch,
  parseMidtrans,
  parseXendit,
  verifyMidtransSignature,
  verifyXendit,
  type PaymentNotice,
  type ProviderEvent,
} from '../../../core/payments';
import type { Temporal } from '../../../core/temporal';
import { paymentReceivedSignal } from '../../../workflows/academy/definitions';
import { callbackSecrets } from './config';
import { signalEnrollment } from './enrollment-signals';
import { invoiceIdOf, lockInvoice, settleInvoice, unpayable } from './invoice-payments';

type Provider = 'xendit' | 'midtrans';
/** The payload's fields that name the invoice, the amount and the virtual account, per provider. */
const FIELDS: Record<Provider, { reference: string; amount: string; account: string }> = {
  xendit: { reference: 'external_id', amount: 'amount', account: 'account_number' },
  midtrans: { reference: 'order_id', amount: 'gross_amount', account: 'va_numbers' },
};

/** What a callback is answered: 200 with what was done, or the refusal (a replay gets the same). */
export interface CallbackAnswer {
  outcome: string;
  invoiceId: number | null;
}

/**
 * The payment providers' callbacks for academy's invoices. Each is verified before anything is
 * read (core/payments; 400, nothing stored, when it does not), stored once by the provider's event
 * id (a replay is answered as the first time and changes nothing), and applied only to an invoice
 * that is Unpaid and not yet due, for exactly its amount and into its virtual account; anything
 * else is stored with its refusal and answered 4xx naming the field. A payment marks the invoice
 * Paid and tells the enrollment's workflow, which opens the enrollment.
 */
export function createPaymentCallbacks(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  logger: Logger;
}) {
  const { db } = deps;
  const secrets = callbackSecrets(deps.config);

  async function receive(
    provider: Provider,
    e: ProviderEvent<PaymentNotice>,
    payload: unknown,
  ): Promise<CallbackAnswer> {
    const fields = FIELDS[provider];
    const { answer, signal } = await db.transaction(
      async (trx): Promise<{ answer: Answer; signal: number | null }> => {
        const stored = await trx('academy.payment_notices')
          .insert({ provider, event_id: e.eventId, type: e.type, payload: JSON.stringify(payload) })
          .onConflict(['provider', 'event_id'])
          .ignore()
          .returning('id');
        if (!stored.length) return { answer: await replay(trx, provider, e.eventId), signal: null };
        const record = (outcome: string, invoiceId: number | null, refusal?: AppError) =>
          trx('academy.payment_notices')
            .where({ id: stored[0].id })
            .update({
              outcome,
              invoice_id: invoiceId,
              answer_status: refusal?.status ?? 200,
              answer_code: refusal?.code ?? null,
              answer_field: refusal?.field ?? null,
            });

        const n = e.notice;
        if (n.kind !== 'paid') {
          // A provider's failure or pending notice changes nothing here: the invoice expires at its due time.
          const outcome = n.kind === 'failed' ? `noted: ${n.reason}` : `noted: ${e.type}`;
          await record(outcome, null);
          return { answer: { ok: { outcome, invoiceId: null } }, signal: null };
        }
        const invoiceId = invoiceIdOf(n.reference);
        const inv = invoiceId ? await lockInvoice(trx, { id: invoiceId }) : undefined;
        const why =
          unpayable(inv, fields.reference) ??
          (inv && n.virtualAccount && n.virtualAccount.number !== inv.virtual_account_number
            ? new AppError(
                'invalid_request',
                422,
                "paid into another virtual account than the invoice's",
                fields.account,
              )
            : null) ??
          refusedAmount(inv, n, fields.amount);
        if (why || !inv) {
          await record(`refused: ${why?.message}`, inv?.id ?? null, why ?? undefined);
          return { answer: { refused: why as AppError }, signal: null };
        }
        await settleInvoice(trx, inv.id, { provider, ref: e.eventId });
        await record('paid', inv.id);
        return { answer: { ok: { outcome: 'paid', invoiceId: inv.id } }, signal: inv.enrollment_id };
      },
    );
    if (signal !== null) {
      await signalEnrollment(deps, signal, paymentReceivedSignal, {
        invoiceId: answer.ok?.invoiceId as number,
        by: provider,
      });
    }
    if (answer.refused) {
      deps.logger.warn(
        { provider, eventId: e.eventId, why: answer.refused.message },
        'academy payment refused',
      );
      throw answer.refused;
    }
    return answer.ok as CallbackAnswer;
  }

  return {
    /** Xendit's fixed virtual account paid callback: `x-callback-token`, `external_id` names the invoice. */
    async xendit(body: Record<string, unknown>, token: string | undefined) {
      if (!secrets.xendit)
        throw new Unavailable(
          'Xendit callbacks are not configured (ACADEMY_XENDIT_CALLBACK_TOKEN or XENDIT_CALLBACK_TOKEN)',
        );
      verifyXendit(token, secrets.xendit);
      return receive('xendit', parseXendit(body), body);
    },
    /** Midtrans's bank-transfer notification: `signature_key`, `order_id` names the invoice. */
    async midtrans(body: Record<string, unknown>) {
      if (!secrets.midtrans)
        throw new Unavailable(
          'Midtrans callbacks are not configured (ACADEMY_MIDTRANS_SERVER_KEY or MIDTRANS_SERVER_KEY)',
        );
      verifyMidtransSignature(body, secrets.midtrans);
      return receive('midtrans', parseMidtrans(body), body);
    },
  };
}
export type PaymentCallbacks = ReturnType<typeof createPaymentCallbacks>;

type Answer = { ok?: CallbackAnswer; refused?: AppError };

/** A notice seen before: the same answer it got then. */
async function replay(trx: Knex.Transaction, provider: Provider, eventId: string): Promise<Answer> {
  const n = await trx('academy.payment_notices').where({ provider, event_id: eventId }).first();
  if (n.answer_status && n.answer_status !== 200)
    return {
      refused: new AppError(
        n.answer_code ?? 'invalid_request',
        n.answer_status,
        String(n.outcome).replace(/^refused: /, ''),
        n.answer_field ?? undefined,
      ),
    };
  return { ok: { outcome: n.outcome ?? 'paid', invoiceId: n.invoice_id } };
}

/** Exactly the invoice's amount in rupiah, else a 422 naming the amount's field. */
function refusedAmount(
  inv: { amount_idr: string | number } | undefined,
  n: Extract<PaymentNotice, { kind: 'paid' }>,
  field: string,
): AppError | null {
  if (!inv) return null;
  const why = paymentMismatch({ total_cents: Number(inv.amount_idr), currency: 'idr' }, n.paid);
  return why ? new AppError('invalid_request', 422, why, field) : null;
}
