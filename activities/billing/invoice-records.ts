import type { Knex } from 'knex';
import type { InvoiceRow, SubscriptionRow } from '../../types/billing';
import { newId } from '../../core/ids';
import { periodDue, type PeriodCharges } from './proration';
import { creditBalance, type PlanTerms } from './terms';

/** A period's terms: the plan's as it started, and what prorated changes made of its charge. */
export type PeriodTerms = PlanTerms & { charges?: PeriodCharges };
export interface Period {
  start: string;
  end: string;
}
export interface LineItem {
  kind: 'plan' | 'overage' | 'proration' | 'credit';
  description: string;
  quantity?: number;
  amount_cents: number;
}

/** The next gapless number of the year, in the caller's transaction. */
async function nextNumber(trx: Knex.Transaction): Promise<string> {
  const year = new Date().getUTCFullYear();
  const { rows } = await trx.raw(
    `insert into billing.invoice_sequences as s (year, last) values (?, 1) on conflict (year) do update set last = s.last + 1 returning last`,
    [year],
  );
  return `INV-${year}-${String(rows[0].last).padStart(6, '0')}`;
}

/**
 * An invoice with its lines; credits on the ledger pay what they can (the balance never goes below
 * zero) and what is left is the total. A total of zero is paid at once.
 */
export async function createInvoice(
  trx: Knex.Transaction,
  inv: {
    customerId: string;
    subscriptionId: string | null;
    kind: 'period' | 'proration';
    currency: string;
    lines: LineItem[];
    period?: Period;
  },
): Promise<InvoiceRow> {
  const subtotal = inv.lines.reduce((n, l) => n + l.amount_cents, 0);
  const balance = await creditBalance(trx, inv.customerId);
  const credits = Math.max(0, Math.min(balance, subtotal));
  const id = newId('inv');
  const lines = credits
    ? [
        ...inv.lines,
        { kind: 'credit' as const, description: 'Account credit applied', amount_cents: -credits },
      ]
    : inv.lines;
  const [row] = await trx('billing.invoices')
    .insert({
      id,
      number: await nextNumber(trx),
      customer_id: inv.customerId,
      subscription_id: inv.subscriptionId,
      kind: inv.kind,
      currency: inv.currency,
      status: subtotal - credits === 0 ? 'paid' : 'open',
      line_items: JSON.stringify(lines),
      subtotal_cents: subtotal,
      credits_applied_cents: credits,
      total_cents: subtotal - credits,
      period_start: inv.period?.start ?? null,
      period_end: inv.period?.end ?? null,
      paid_at: subtotal - credits === 0 ? trx.fn.now() : null,
    })
    .returning('*');
  if (credits)
    await trx('billing.credits').insert({
      customer_id: inv.customerId,
      amount_cents: -credits,
      reason: `applied to ${row.number}`,
      invoice_id: id,
      actor: 'billing',
    });
  return row;
}

/** Overage lines of a soft-limit period: per started 1,000 tokens and per request over the quota. */
export function overageLines(terms: PlanTerms, used: { tokens: number; requests: number }): LineItem[] {
  const lines: LineItem[] = [];
  const tokens = Math.max(0, used.tokens - terms.quota_tokens);
  const requests = Math.max(0, used.requests - terms.quota_requests);
  if (tokens && terms.overage_cents_per_1k_tokens)
    lines.push({
      kind: 'overage',
      description: `Tokens over quota (${tokens})`,
      quantity: tokens,
      amount_cents: Math.ceil(tokens / 1000) * terms.overage_cents_per_1k_tokens,
    });
  if (requests && terms.overage_cents_per_request)
    lines.push({
      kind: 'overage',
      description: `Requests over quota (${requests})`,
      quantity: requests,
      amount_cents: requests * terms.overage_cents_per_request,
    });
  return lines;
}

/**
 * A closing period's plan lines: its price (nothing in a trial) and, after prorated changes, the
 * adjustment to what the period came to less its proration invoices (./proration.ts). When those
 * invoices paid more than that, the excess is put on the credit ledger (which this invoice draws
 * from first), at most what they were paid.
 */
export async function planLines(
  trx: Knex.Transaction,
  s: SubscriptionRow,
  terms: PeriodTerms,
  period: Period,
  planName: string,
): Promise<LineItem[]> {
  const trialing = s.status === 'trialing';
  const lines: LineItem[] = [
    {
      kind: 'plan',
      description: `${planName} plan, ${period.start.slice(0, 10)} – ${period.end.slice(0, 10)}`,
      amount_cents: trialing ? 0 : terms.price_cents,
    },
  ];
  if (!terms.charges || trialing) return lines;
  const owed = periodDue(terms.charges, period) - terms.charges.invoiced_cents;
  const adjustment = Math.max(0, owed) - terms.price_cents;
  if (adjustment)
    lines.push({
      kind: 'proration',
      description: 'Plan changes this period: time on each plan, less proration invoices',
      amount_cents: adjustment,
    });
  if (owed < 0) {
    const paid = await trx('billing.invoices')
      .where({ subscription_id: s.id, kind: 'proration', period_start: period.start, status: 'paid' })
      .sum('subtotal_cents as n')
      .first();
    const credit = Math.min(-owed, Number(paid?.n ?? 0));
    if (credit)
      await trx('billing.credits').insert({
        customer_id: s.customer_id,
        amount_cents: credit,
        reason: `proration: paid beyond what the period ${period.start.slice(0, 10)} came to`,
        actor: 'billing',
      });
  }
  return lines;
}

/** The invoices' own records: a collection's outcome on the invoice, and its status for the workflow. */
export function createInvoiceRecordActivities(deps: { db: Knex }) {
  const { db } = deps;

  return {
    async markInvoice({
      invoiceId,
      outcome,
      reason,
    }: {
      invoiceId: string;
      outcome: 'paid' | 'failed';
      reason?: string;
    }): Promise<void> {
      await db('billing.invoices')
        .where({ id: invoiceId })
        .whereNot({ status: 'paid' })
        .update(
          outcome === 'paid'
            ? { status: 'paid', paid_at: db.fn.now(), failure_reason: null, updated_at: db.fn.now() }
            : { status: 'failed', failure_reason: reason ?? 'payment failed', updated_at: db.fn.now() },
        );
    },

    async invoiceStatus({ invoiceId }: { invoiceId: string }): Promise<string> {
      return (await db('billing.invoices').where({ id: invoiceId }).first('status')).status;
    },
  };
}
