import { safeEqual } from '../crypto';
import { Invalid } from '../errors';
import { InvalidSignature, text, type PaymentNotice, type ProviderEvent } from './notice';

/** Xendit signs nothing: it sends the account's callback token, compared here in constant time. */
export function verifyXendit(token: string | undefined, expected: string): void {
  if (!token || !safeEqual(token, expected)) throw new InvalidSignature('x-callback-token does not match');
}

/**
 * A Xendit callback: an invoice's (`status` PAID/SETTLED with `paid_amount`/`amount` and
 * `currency`; EXPIRED/FAILED) or a fixed virtual account's payment (no status: it is only sent
 * for money received; FVAs take rupiah only, so its currency is IDR when absent). `external_id`
 * is the product's reference; `id` (required, else 400) is the callback's own.
 */
export function parseXendit(body: Record<string, unknown>): ProviderEvent<PaymentNotice> {
  const id = String(body.id ?? '');
  if (!id) throw new Invalid('id: is required', 'id');
  const status = String(body.status ?? '');
  const type = body.callback_virtual_account_id ? 'fva.paid' : `invoice.${status.toLowerCase() || 'unknown'}`;
  return { eventId: id, type, notice: xenditNotice(body, status) };
}

function xenditNotice(body: Record<string, unknown>, status: string): PaymentNotice {
  const reference = String(body.external_id ?? '');
  if (!reference) return { kind: 'other' };
  if (!status && body.callback_virtual_account_id && body.payment_id) {
    const [bank, number, vaId] = [body.bank_code, body.account_number, body.callback_virtual_account_id].map(
      text,
    );
    return {
      kind: 'paid',
      reference,
      paid: { amount: body.amount, currency: body.currency ?? 'IDR', unit: 'major' },
      ...(bank && number && { virtualAccount: { bank, number, ...(vaId && { id: vaId }) } }),
    };
  }
  if (status === 'PAID' || status === 'SETTLED')
    return {
      kind: 'paid',
      reference,
      paid: { amount: body.paid_amount ?? body.amount, currency: body.currency, unit: 'major' },
    };
  if (status === 'EXPIRED' || status === 'FAILED')
    return { kind: 'failed', reference, reason: `Xendit: ${status}` };
  return { kind: 'other' };
}
