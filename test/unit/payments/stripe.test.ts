import Stripe from 'stripe';
import { InvalidSignature, paymentMismatch, parseStripe, verifyStripe } from '../../../core/payments';

// Stripe's own signing helper makes the header Stripe would send; nothing is called over the network.
const SECRET = 'whsec_unit_secret';
const signer = new Stripe('sk_test_unused');
function signed(
  type: string,
  object: Record<string, unknown>,
  opts: { secret?: string; timestamp?: number } = {},
) {
  const raw = JSON.stringify({
    id: 'evt_1',
    object: 'event',
    type,
    created: 1,
    livemode: false,
    data: { object },
  });
  const header = signer.webhooks.generateTestHeaderString({
    payload: raw,
    secret: opts.secret ?? SECRET,
    timestamp: opts.timestamp,
  });
  return { raw, header };
}
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
};

describe('Stripe verification', () => {
  it('accepts a good signature and parses a paid payment intent in Stripe minor units', () => {
    const { raw, header } = signed('payment_intent.succeeded', {
      amount: 1192,
      amount_received: 1192,
      currency: 'usd',
      metadata: { invoice_id: 'inv_1' },
    });
    const e = parseStripe(verifyStripe(raw, header, SECRET));
    expect(e).toEqual({
      eventId: 'evt_1',
      type: 'payment_intent.succeeded',
      notice: {
        kind: 'paid',
        metadata: { invoice_id: 'inv_1' },
        paid: { amount: 1192, currency: 'usd', unit: 'stripe' },
      },
    });
    if (e.notice.kind !== 'paid') throw new Error('not paid');
    expect(paymentMismatch({ total_cents: 1192, currency: 'usd' }, e.notice.paid)).toBeNull();
    expect(paymentMismatch({ total_cents: 1192, currency: 'eur' }, e.notice.paid)).toMatch(/does not match/);
  });

  it('refuses a missing header, another secret, a tampered body and a stale timestamp', () => {
    const { raw, header } = signed('payment_intent.succeeded', { metadata: {} });
    expect(refusal(() => verifyStripe(raw, undefined, SECRET))).toEqual(
      new InvalidSignature('Stripe-Signature header is missing'),
    );
    const foreign = signed('payment_intent.succeeded', { metadata: {} }, { secret: 'whsec_other' });
    expect(refusal(() => verifyStripe(foreign.raw, foreign.header, SECRET))).toMatchObject({
      code: 'invalid_signature',
      status: 400,
    });
    expect(refusal(() => verifyStripe(raw.replace('evt_1', 'evt_2'), header, SECRET))).toBeInstanceOf(
      InvalidSignature,
    );
    const stale = signed('payment_intent.succeeded', {}, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect((refusal(() => verifyStripe(stale.raw, stale.header, SECRET)) as Error).message).toMatch(
      /^Stripe-Signature: Timestamp outside the tolerance zone/,
    );
    expect(refusal(() => verifyStripe(raw, 'garbage', SECRET))).toBeInstanceOf(InvalidSignature);
  });

  it('parses a setup checkout, a paid and an unpaid session, a failed intent, and anything else', () => {
    const parse = (type: string, object: Record<string, unknown>) => {
      const { raw, header } = signed(type, object);
      return parseStripe(verifyStripe(raw, header, SECRET)).notice;
    };
    expect(
      parse('checkout.session.completed', {
        mode: 'setup',
        setup_intent: 'seti_1',
        metadata: { subscription_id: 's1' },
      }),
    ).toEqual({ kind: 'setup_completed', metadata: { subscription_id: 's1' }, setupIntent: 'seti_1' });
    expect(
      parse('checkout.session.completed', {
        mode: 'payment',
        payment_status: 'paid',
        amount_total: 150000,
        currency: 'idr',
        metadata: { invoice_id: 'inv_2' },
      }),
    ).toEqual({
      kind: 'paid',
      metadata: { invoice_id: 'inv_2' },
      paid: { amount: 150000, currency: 'idr', unit: 'stripe' },
    });
    expect(
      parse('checkout.session.completed', { mode: 'payment', payment_status: 'unpaid', metadata: {} }),
    ).toEqual({
      kind: 'other',
      metadata: {},
    });
    expect(
      parse('payment_intent.payment_failed', {
        last_payment_error: { message: 'Your card was declined.' },
        metadata: null,
      }),
    ).toEqual({ kind: 'failed', metadata: {}, reason: 'Your card was declined.' });
    expect(parse('customer.created', { id: 'cus_1' })).toEqual({ kind: 'other', metadata: {} });
  });
});
