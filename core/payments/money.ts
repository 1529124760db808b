/**
 * Amounts between billing's invoices and the payment providers. An invoice's `*_cents` columns
 * count the currency's smallest unit in use: hundredths of a dollar, but whole rupiah or yen
 * (NOTE: IDR has no minor unit in practice; Xendit and Midtrans refuse fractions of a rupiah).
 * Stripe counts its own minor units (IDR in hundredths there); Xendit and Midtrans send major
 * units as decimals ("1192.00").
 */

/** Currencies with no minor unit (Stripe's zero-decimal list, plus IDR for billing's own amounts). */
const STRIPE_ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

const stripeDigits = (currency: string) =>
  STRIPE_ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2;
/** Decimal digits of an invoice's amount in this currency. */
const invoiceDigits = (currency: string) => (currency === 'idr' ? 0 : stripeDigits(currency));

/** An invoice amount as Stripe's `amount` in the same currency. */
export const toStripeAmount = (cents: number, currency: string) =>
  cents * 10 ** (stripeDigits(currency) - invoiceDigits(currency));

/** A provider's paid amount as it sent it, and in which unit. */
export interface ProviderPayment {
  amount: unknown;
  currency: unknown;
  /** `stripe`: an integer in Stripe's minor units; `major`: a decimal number or string ("1192.00"). */
  unit: 'stripe' | 'major';
}

/** The payment in the invoice's unit, or null when it is not a whole amount of that unit. */
function inInvoiceUnit(p: ProviderPayment, currency: string): number | null {
  const text =
    typeof p.amount === 'number' ? String(p.amount) : typeof p.amount === 'string' ? p.amount.trim() : '';
  const m = /^(\d{1,15})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return null;
  const digits = invoiceDigits(currency);
  if (p.unit === 'stripe') {
    if (m[2] !== undefined) return null;
    const scale = 10 ** (stripeDigits(currency) - digits);
    const n = Number(m[1]);
    return n % scale === 0 ? n / scale : null;
  }
  const fraction = m[2] ?? '';
  if (/[^0]/.test(fraction.slice(digits))) return null; // 0.01 of a rupiah, 11.925 dollars
  return Number(m[1]) * 10 ** digits + Number(fraction.slice(0, digits).padEnd(digits, '0') || '0');
}

const major = (n: number, digits: number, currency: string) =>
  `${(n / 10 ** digits).toFixed(digits)} ${currency.toUpperCase()}`;

/** How the provider's payment reads to an operator: major units and currency. */
function shown(p: ProviderPayment, currency: string): string {
  const cur = currency ? currency.toUpperCase() : '(no currency)';
  if (p.unit === 'stripe' && Number.isInteger(p.amount))
    return major(p.amount as number, stripeDigits(currency), currency || '?');
  return `${typeof p.amount === 'string' || typeof p.amount === 'number' ? p.amount : '(no amount)'} ${cur}`;
}

/**
 * Why a provider's payment does not settle the invoice (null when it does): the currency must be
 * the invoice's and the amount its total, exactly; a payment without either is refused.
 */
export function paymentMismatch(
  invoice: { total_cents: number; currency: string },
  paid: ProviderPayment,
): string | null {
  const currency = typeof paid.currency === 'string' ? paid.currency.toLowerCase() : '';
  const amount = currency === invoice.currency.toLowerCase() ? inInvoiceUnit(paid, currency) : null;
  if (amount === invoice.total_cents) return null;
  const due = major(invoice.total_cents, invoiceDigits(invoice.currency), invoice.currency);
  return `payment of ${shown(paid, currency)} does not match the invoice's ${due}`;
}
