import { Invalid } from '../../../core/errors';
import { InvalidSignature, paymentMismatch, parseXendit, verifyXendit } from '../../../core/payments';

const TOKEN = 'xnd_callback_token_unit';

describe('Xendit verification', () => {
  it('accepts the callback token and refuses a missing or different one', () => {
    expect(() => verifyXendit(TOKEN, TOKEN)).not.toThrow();
    expect(() => verifyXendit(undefined, TOKEN)).toThrow(
      new InvalidSignature('x-callback-token does not match'),
    );
    expect(() => verifyXendit('', TOKEN)).toThrow(InvalidSignature);
    expect(() => verifyXendit(`${TOKEN}x`, TOKEN)).toThrow(InvalidSignature);
    expect(() => verifyXendit(TOKEN.toUpperCase(), TOKEN)).toThrow(InvalidSignature);
  });

  it('parses an invoice callback: PAID with paid_amount and currency, EXPIRED as failed', () => {
    // Xendit's invoice callback, as its documentation shows it (fields trimmed).
    const paid = {
      id: '579c8d61f23fa4ca35e52da4',
      external_id: 'inv_1',
      user_id: '5781d19b2e2385880609791c',
      is_high: true,
      payment_method: 'BANK_TRANSFER',
      status: 'PAID',
      merchant_name: 'Xendit',
      amount: 50000,
      paid_amount: 50000,
      bank_code: 'PERMATA',
      paid_at: '2016-10-12T08:15:03.404Z',
      payer_email: 'wildan@xendit.co',
      currency: 'IDR',
      payment_channel: 'PERMATA',
      payment_destination: '888888888888',
    };
    const e = parseXendit(paid);
    expect(e).toEqual({
      eventId: '579c8d61f23fa4ca35e52da4',
      type: 'invoice.paid',
      notice: { kind: 'paid', reference: 'inv_1', paid: { amount: 50000, currency: 'IDR', unit: 'major' } },
    });
    if (e.notice.kind !== 'paid') throw new Error('not paid');
    expect(paymentMismatch({ total_cents: 50000, currency: 'idr' }, e.notice.paid)).toBeNull();
    expect(paymentMismatch({ total_cents: 50001, currency: 'idr' }, e.notice.paid)).toBe(
      "payment of 50000 IDR does not match the invoice's 50001 IDR",
    );
    expect(parseXendit({ ...paid, status: 'EXPIRED' })).toMatchObject({
      type: 'invoice.expired',
      notice: { kind: 'failed', reference: 'inv_1', reason: 'Xendit: EXPIRED' },
    });
    expect(parseXendit({ ...paid, status: 'PENDING' }).notice).toEqual({ kind: 'other' });
    expect(parseXendit({ ...paid, external_id: undefined }).notice).toEqual({ kind: 'other' });
  });

  it('parses a fixed virtual account payment: rupiah by default, with its account', () => {
    const fva = {
      updated: '2026-12-02T10:00:00.000Z',
      created: '2026-12-02T10:00:00.000Z',
      payment_id: '1502450097080',
      callback_virtual_account_id: '58a434ba39cc9e4a230d5a2b',
      owner_id: '5824128aa6f9f9b648be9d76',
      external_id: 'enrollment_1',
      account_number: '1001470126',
      bank_code: 'MANDIRI',
      amount: 150000,
      transaction_timestamp: '2026-12-02T10:00:00.000Z',
      merchant_code: '88464',
      id: '598d91b1191029596846047f',
    };
    expect(parseXendit(fva)).toEqual({
      eventId: '598d91b1191029596846047f',
      type: 'fva.paid',
      notice: {
        kind: 'paid',
        reference: 'enrollment_1',
        paid: { amount: 150000, currency: 'IDR', unit: 'major' },
        virtualAccount: { bank: 'MANDIRI', number: '1001470126', id: '58a434ba39cc9e4a230d5a2b' },
      },
    });
  });

  it('refuses a callback without its id (400)', () => {
    expect(() => parseXendit({ external_id: 'inv_1', status: 'PAID' })).toThrow(
      new Invalid('id: is required', 'id'),
    );
  });
});
