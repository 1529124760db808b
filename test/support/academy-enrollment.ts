import { createHash } from 'node:crypto';
import { newId } from '../../core/ids';
import type { TestApi } from './api';

/** The callback secrets the enrollment tests' APIs are started with. */
export const XENDIT_TOKEN = 'xnd-academy-callback-token';
export const MIDTRANS_KEY = 'SB-Mid-server-academy';
export const callbackEnv = {
  ACADEMY_XENDIT_CALLBACK_TOKEN: XENDIT_TOKEN,
  ACADEMY_MIDTRANS_SERVER_KEY: MIDTRANS_KEY,
};

export interface Invoice {
  id: number;
  virtualAccountNumber: string;
  amountIDR: number;
}

/** An active program of `modules` modules at `priceIdr`, written directly (programs are academy-api's routes). */
export async function academyProgram(
  api: TestApi,
  opts: { modules?: number; priceIdr?: number; status?: string } = {},
) {
  const [program] = await api
    .db('academy.programs')
    .insert({
      title: `Program ${newId('p').slice(-8)}`,
      description: 'A program of the enrollment tests',
      price_idr: opts.priceIdr ?? 150000,
      status: opts.status ?? 'active',
    })
    .returning(['id', 'title']);
  const moduleIds: number[] = [];
  for (let i = 1; i <= (opts.modules ?? 3); i++) {
    const [m] = await api
      .db('academy.modules')
      .insert({ program_id: program.id, title: `Module ${i}`, content: `Lesson ${i}`, position: i })
      .returning('id');
    moduleIds.push(m.id);
  }
  return { id: program.id as number, title: program.title as string, moduleIds };
}

/** Xendit's fixed virtual account paid callback for the invoice, as Xendit's documentation shows it. */
export function xenditPayload(inv: Invoice, over: Record<string, unknown> = {}) {
  return {
    id: newId('xcb'),
    payment_id: newId('xpay'),
    callback_virtual_account_id: newId('xva'),
    owner_id: '5f2a7d6b7a6a4b0012345678',
    external_id: `academy-invoice-${inv.id}`,
    account_number: inv.virtualAccountNumber,
    bank_code: 'BNI',
    amount: inv.amountIDR,
    transaction_timestamp: new Date().toISOString(),
    merchant_code: '8808',
    currency: 'IDR',
    ...over,
  };
}

export const postXendit = (api: TestApi, body: unknown, token = XENDIT_TOKEN) =>
  api.request('POST', '/academy/api/v1/payments/callbacks/xendit', {
    body,
    headers: { 'x-callback-token': token },
  });

/** Midtrans's bank-transfer settlement notification for the invoice, signed with `key`. */
export function midtransPayload(inv: Invoice, over: Record<string, unknown> = {}, key = MIDTRANS_KEY) {
  const n: Record<string, unknown> = {
    va_numbers: [{ va_number: inv.virtualAccountNumber, bank: 'bni' }],
    transaction_time: '2026-12-02 10:00:00',
    transaction_status: 'settlement',
    transaction_id: `mt-${newId('t')}`,
    status_message: 'midtrans payment notification',
    status_code: '200',
    payment_type: 'bank_transfer',
    order_id: `academy-invoice-${inv.id}`,
    merchant_id: 'G141532850',
    gross_amount: `${inv.amountIDR}.00`,
    fraud_status: 'accept',
    currency: 'IDR',
    ...over,
  };
  const signature_key = createHash('sha512')
    .update(`${n.order_id}${n.status_code}${n.gross_amount}${key}`)
    .digest('hex');
  return { ...n, signature_key };
}

export const postMidtrans = (api: TestApi, body: unknown) =>
  api.request('POST', '/academy/api/v1/payments/callbacks/midtrans', { body });
