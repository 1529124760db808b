import { AppError } from '../errors';
import type { ProviderPayment } from './money';

/** A notification that does not verify: 400 `invalid_signature`; nothing of it was read or stored. */
export class InvalidSignature extends AppError {
  constructor(why: string) {
    super('invalid_signature', 400, why);
  }
}

/** The virtual account a transfer was paid into, as the provider names it (bank code and number). */
export interface VirtualAccount {
  bank: string;
  number: string;
  /** The provider's id of the account (Xendit's `callback_virtual_account_id`), when it sends one. */
  id?: string;
}

/**
 * What a verified Xendit or Midtrans notification says of a payment the product asked for. The
 * `reference` is the product's own id it gave the provider (Xendit `external_id`, Midtrans
 * `order_id`); `paid` is the amount and currency as sent, for `paymentMismatch` (./money.ts).
 */
export type PaymentNotice =
  | { kind: 'paid'; reference: string; paid: ProviderPayment; virtualAccount?: VirtualAccount }
  | { kind: 'failed'; reference: string; reason: string }
  | { kind: 'other' };

/** A verified notification: the provider's id for it (store it once by this), its type, and what it says. */
export interface ProviderEvent<N> {
  eventId: string;
  type: string;
  notice: N;
}

/** A string field of a payload, or undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
