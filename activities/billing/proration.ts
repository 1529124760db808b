/**
 * What a period's plan charge comes to when the plan changes within it (billing's proration rule).
 *
 * A period is billed for each plan for the time it was in force: price × (its part of the period).
 * The period invoice comes at the period's end; a prorated upgrade invoices the rest of the period
 * at the difference at once (a proration invoice), so the period invoice bills what is due less
 * those invoices. A prorated downgrade only lowers what is due. When proration invoices paid more
 * than the whole period came to, the excess comes back as account credit, never more than they paid.
 * Every change is computed from this record of the period, not from the plan it started on, so
 * going up and down repeatedly costs exactly the time spent on each plan.
 */
export interface PeriodCharges {
  /** The price (for a whole period) the time since `since` is billed at. */
  rate_cents: number;
  /** Cents due, unrounded, for the period's time before `since`. */
  accrued_cents: number;
  /** The last prorated change (the period's start before any). */
  since: string;
  /** The period's proration invoices so far. */
  invoiced_cents: number;
}

interface Span {
  start: string;
  end: string;
}

const part = (p: Span, from: number, to: number) => {
  const [start, end] = [Date.parse(p.start), Date.parse(p.end)];
  return end > start
    ? (Math.min(end, Math.max(start, to)) - Math.min(end, Math.max(start, from))) / (end - start)
    : 0;
};

/** A period's record before any change: billed at the price it started with. */
export const startCharges = (priceCents: number, period: Span): PeriodCharges => ({
  rate_cents: priceCents,
  accrued_cents: 0,
  since: period.start,
  invoiced_cents: 0,
});

/**
 * A prorated change at `at` to a plan of `priceCents`: the record after it, the rest of the
 * period's part and the difference (positive: invoiced now; negative: taken off what is due).
 */
export function changeRate(c: PeriodCharges, period: Span, at: number, priceCents: number) {
  const now = Math.min(Date.parse(period.end), Math.max(Date.parse(period.start), at));
  const left = part(period, now, Date.parse(period.end));
  const difference = Math.round((priceCents - c.rate_cents) * left);
  const charges: PeriodCharges = {
    rate_cents: priceCents,
    accrued_cents: c.accrued_cents + c.rate_cents * part(period, Date.parse(c.since), now),
    since: new Date(now).toISOString(),
    invoiced_cents: c.invoiced_cents + Math.max(0, difference),
  };
  return { charges, left, difference };
}

/** What the whole period came to for its plans, in cents. */
export const periodDue = (c: PeriodCharges, period: Span) =>
  Math.round(c.accrued_cents + c.rate_cents * part(period, Date.parse(c.since), Date.parse(period.end)));
