import { createHash } from 'node:crypto';
import {
  InvalidSignature,
  paymentMismatch,
  parseMidtrans,
  verifyMidtrans,
  verifyMidtransSignature,
} from '../../../core/payments';

const KEY = 'SB-Mid-server-unit';
const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
const sign = (n: { order_id: string; status_code: string; gross_amount: string }, key = KEY) =>
  createHash('sha512').update(`${n.order_id}${n.status_code}${n.gross_amount}${key}`).digest('hex');

/** A bank transfer's settlement notification, as Midtrans's documentation shows it. */
function notification(over: Record<string, unknown> = {}) {
  const n = {
    va_numbers: [{ va_number: '812785002530231', bank: 'bni' }],
    transaction_time: '2026-12-02 10:00:00',
    transaction_status: 'settlement',
    transaction_id: '9aed5972-5b6a-401e-894b-a32c91ed1a3a',
    status_message: 'midtrans payment notification',
    status_code: '200',
    payment_type: 'bank_transfer',
    order_id: 'inv_1',
    merchant_id: 'G141532850',
    gross_amount: '150000.00',
    fraud_status: 'accept',
    currency: 'IDR',
    ...over,
  };
  return { ...n, signature_key: sign(n) };
}

describe('Midtrans verification', () => {
  it('accepts the Basic server key and a good signature_key', () => {
    expect(() => verifyMidtrans(notification(), basic, KEY)).not.toThrow();
  });

  it('refuses a missing or wrong Authorization, and a missing, wrong or tampered signature_key', () => {
    const n = notification();
    expect(() => verifyMidtrans(n, undefined, KEY)).toThrow(
      new InvalidSignature('Authorization does not match the server key'),
    );
    expect(() => verifyMidtrans(n, 'Basic d3Jvbmc6', KEY)).toThrow(InvalidSignature);
    expect(() => verifyMidtrans({ ...n, signature_key: undefined }, basic, KEY)).toThrow(
      new InvalidSignature('signature_key does not match'),
    );
    expect(() => verifyMidtrans({ ...n, signature_key: sign(n, 'another-key') }, basic, KEY)).toThrow(
      InvalidSignature,
    );
    // The amount is signed: a notification cannot be made to pay more, or another order.
    expect(() => verifyMidtrans({ ...n, gross_amount: '1500000.00' }, basic, KEY)).toThrow(InvalidSignature);
    expect(() => verifyMidtrans({ ...n, order_id: 'inv_2' }, basic, KEY)).toThrow(InvalidSignature);
  });

  it('parses a settlement: order_id, gross_amount in currency, the virtual account', () => {
    const e = parseMidtrans(notification());
    expect(e).toEqual({
      eventId: '9aed5972-5b6a-401e-894b-a32c91ed1a3a',
      type: 'transaction.settlement',
      notice: {
        kind: 'paid',
        reference: 'inv_1',
        paid: { amount: '150000.00', currency: 'IDR', unit: 'major' },
        virtualAccount: { bank: 'bni', number: '812785002530231' },
      },
    });
    if (e.notice.kind !== 'paid') throw new Error('not paid');
    expect(paymentMismatch({ total_cents: 150000, currency: 'idr' }, e.notice.paid)).toBeNull();
    expect(paymentMismatch({ total_cents: 1192, currency: 'usd' }, e.notice.paid)).toMatch(/does not match/);
    expect(
      parseMidtrans(notification({ va_numbers: undefined, permata_va_number: '8562000087926752' })).notice,
    ).toMatchObject({ virtualAccount: { bank: 'permata', number: '8562000087926752' } });
  });

  it('parses deny/cancel/expire/failure as failed and pending as nothing; no transaction_id, a composed id', () => {
    for (const status of ['deny', 'cancel', 'expire', 'failure'])
      expect(parseMidtrans(notification({ transaction_status: status })).notice).toEqual({
        kind: 'failed',
        reference: 'inv_1',
        reason: `Midtrans: ${status}`,
      });
    expect(parseMidtrans(notification({ transaction_status: 'pending', status_code: '201' })).notice).toEqual(
      {
        kind: 'other',
      },
    );
    expect(
      parseMidtrans(
        notification({ transaction_id: undefined, transaction_status: 'expire', status_code: '407' }),
      ),
    ).toMatchObject({ eventId: 'inv_1:expire:407', type: 'transaction.expire' });
  });

  it('verifies by signature_key alone for a product Midtrans calls without the Basic header', () => {
    const n = notification();
    expect(() => verifyMidtransSignature(n, KEY)).not.toThrow();
    expect(() => verifyMidtransSignature({ ...n, gross_amount: '1.00' }, KEY)).toThrow(
      new InvalidSignature('signature_key does not match'),
    );
    expect(() => verifyMidtransSignature(n, 'another-key')).toThrow(InvalidSignature);
  });

  it('pays a card capture only when the fraud check accepted it: challenge waits, deny fails', () => {
    const capture = (fraud_status?: string) =>
      parseMidtrans(
        notification({ transaction_status: 'capture', payment_type: 'credit_card', fraud_status }),
      ).notice;
    expect(capture('accept')).toMatchObject({ kind: 'paid', reference: 'inv_1' });
    expect(capture(undefined)).toMatchObject({ kind: 'paid' });
    expect(capture('challenge')).toEqual({ kind: 'other' });
    expect(capture('deny')).toEqual({ kind: 'failed', reference: 'inv_1', reason: 'Midtrans: deny' });
  });
});
