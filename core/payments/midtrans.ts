import { createHash } from 'node:crypto';
import { safeEqual } from '../crypto';
import {
  InvalidSignature,
  text,
  type PaymentNotice,
  type ProviderEvent,
  type VirtualAccount,
} from './notice';

const fields = (body: Record<string, unknown>) =>
  [body.order_id, body.status_code, body.gross_amount].map((v) => String(v ?? ''));

/**
 * A Midtrans notification verifies by `Authorization: Basic base64(server_key:)` and its
 * `signature_key` (verifyMidtransSignature). A product whose endpoint Midtrans calls without the
 * Basic header (its HTTP notification sends none by default) verifies the signature alone.
 */
export function verifyMidtrans(
  body: Record<string, unknown>,
  authorization: string | undefined,
  serverKey: string,
): void {
  const basic = `Basic ${Buffer.from(`${serverKey}:`).toString('base64')}`;
  if (!authorization || !safeEqual(authorization, basic))
    throw new InvalidSignature('Authorization does not match the server key');
  verifyMidtransSignature(body, serverKey);
}

/** `signature_key` must be the SHA-512 of order_id + status_code + gross_amount + the server key. */
export function verifyMidtransSignature(body: Record<string, unknown>, serverKey: string): void {
  const [orderId, statusCode, gross] = fields(body);
  const expected = createHash('sha512').update(`${orderId}${statusCode}${gross}${serverKey}`).digest('hex');
  if (!safeEqual(String(body.signature_key ?? ''), expected))
    throw new InvalidSignature('signature_key does not match');
}

/**
 * A Midtrans notification: settlement (or a capture the fraud check accepted) pays `order_id` (the product's reference):
 * `gross_amount` ("1192.00") in `currency`; deny/cancel/expire/failure fail it. Its id is
 * `transaction_id` (else order, status and code). A bank transfer names its virtual account.
 */
export function parseMidtrans(body: Record<string, unknown>): ProviderEvent<PaymentNotice> {
  const [orderId, statusCode] = fields(body);
  const status = String(body.transaction_status ?? '');
  return {
    eventId: String(body.transaction_id ?? `${orderId}:${status}:${statusCode}`),
    type: `transaction.${status || 'unknown'}`,
    notice: midtransNotice(body, orderId, status),
  };
}

function midtransNotice(body: Record<string, unknown>, reference: string, status: string): PaymentNotice {
  const fraud = String(body.fraud_status ?? '');
  // A card capture is money only when the fraud check accepted it: `challenge` waits for the
  // merchant's review (a later notification says how it ended), `deny` refused it.
  if (status === 'capture' && fraud === 'deny')
    return { kind: 'failed', reference, reason: 'Midtrans: deny' };
  if (status === 'settlement' || (status === 'capture' && (fraud === '' || fraud === 'accept'))) {
    const va = virtualAccount(body);
    return {
      kind: 'paid',
      reference,
      paid: { amount: body.gross_amount, currency: body.currency, unit: 'major' },
      ...(va && { virtualAccount: va }),
    };
  }
  if (['deny', 'cancel', 'expire', 'failure'].includes(status))
    return { kind: 'failed', reference, reason: `Midtrans: ${status}` };
  return { kind: 'other' };
}

/** `va_numbers: [{ bank, va_number }]` (BCA, BNI, BRI, ...) or Permata's `permata_va_number`. */
function virtualAccount(body: Record<string, unknown>): VirtualAccount | undefined {
  const first: unknown = Array.isArray(body.va_numbers) ? body.va_numbers[0] : undefined;
  if (first && typeof first === 'object') {
    const [bank, number] = [
      (first as { bank?: unknown }).bank,
      (first as { va_number?: unknown }).va_number,
    ].map(text);
    if (bank && number) return { bank, number };
  }
  const permata = text(body.permata_va_number);
  return permata ? { bank: 'permata', number: permata } : undefined;
}
