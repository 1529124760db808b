import {
  changeRate,
  periodDue,
  startCharges,
  type PeriodCharges,
} from '../../../activities/billing/proration';

// A 30-day period; day(n) is the instant n days into it.
const period = { start: '2026-01-01T00:00:00.000Z', end: '2026-01-31T00:00:00.000Z' };
const day = (n: number) => Date.parse(period.start) + n * 86_400_000;

/** Applies prorated changes [day, price] in order to a period that started at `price`. */
function changes(price: number, steps: [number, number][]) {
  let charges: PeriodCharges = startCharges(price, period);
  const differences: number[] = [];
  for (const [at, to] of steps) {
    const change = changeRate(charges, period, day(at), to);
    charges = change.charges;
    differences.push(change.difference);
  }
  return { charges, differences };
}

describe('proration arithmetic', () => {
  it('bills a period without changes at its price', () => {
    const charges = startCharges(3000, period);
    expect(charges).toEqual({ rate_cents: 3000, accrued_cents: 0, since: period.start, invoiced_cents: 0 });
    expect(periodDue(charges, period)).toBe(3000);
  });

  it('invoices an upgrade at the difference for the rest of the period, and the period comes to the time on each plan', () => {
    const change = changeRate(startCharges(3000, period), period, day(10), 6000);
    expect(change.left).toBeCloseTo(2 / 3, 12);
    expect(change.difference).toBe(2000);
    expect(change.charges).toEqual({
      rate_cents: 6000,
      accrued_cents: 1000,
      since: new Date(day(10)).toISOString(),
      invoiced_cents: 2000,
    });
    // 10 days at 3000/30 days + 20 days at 6000/30 days; the period invoice bills 5000 − 2000 invoiced.
    expect(periodDue(change.charges, period)).toBe(5000);
  });

  it('takes a downgrade off what is due without invoicing anything', () => {
    const { charges, differences } = changes(6000, [[15, 3000]]);
    expect(differences).toEqual([-1500]);
    expect(charges.invoiced_cents).toBe(0);
    expect(periodDue(charges, period)).toBe(4500);
  });

  it('costs exactly the time spent on each plan however often it goes up and down', () => {
    // 3000 → 6000 → 3000 → 6000 → 3000 → 6000, five days each: 15 days at each price.
    const { charges, differences } = changes(3000, [
      [5, 6000],
      [10, 3000],
      [15, 6000],
      [20, 3000],
      [25, 6000],
    ]);
    expect(periodDue(charges, period)).toBe(1500 + 3000);
    expect(differences).toEqual([2500, -2000, 1500, -1000, 500]);
    // The upgrades' invoices (4500) already paid for the whole period: the period invoice owes nothing more.
    expect(charges.invoiced_cents).toBe(4500);
    expect(periodDue(charges, period) - charges.invoiced_cents).toBe(0);
  });

  it('leaves more invoiced than due when the plan drops after an upgrade was invoiced (the excess becomes credit)', () => {
    const { charges } = changes(1000, [
      [0, 10_000],
      [3, 0],
    ]);
    expect(charges.invoiced_cents).toBe(9000);
    // 3 days at 10 000 / 30 days; the customer paid 9000 for it.
    expect(periodDue(charges, period)).toBe(1000);
    expect(periodDue(charges, period) - charges.invoiced_cents).toBe(-8000);
  });

  it('clamps a change before the period to its start and after it to its end', () => {
    const early = changeRate(startCharges(3000, period), period, day(-5), 6000);
    expect([early.left, early.difference, early.charges.since]).toEqual([1, 3000, period.start]);
    expect(periodDue(early.charges, period)).toBe(6000);

    const late = changeRate(startCharges(3000, period), period, day(40), 6000);
    expect([late.left, late.difference, late.charges.since]).toEqual([0, 0, period.end]);
    expect(late.charges.accrued_cents).toBe(3000);
    expect(periodDue(late.charges, period)).toBe(3000);
  });

  it('rounds each invoiced difference and the period total to whole cents, but never the running record', () => {
    const { charges, differences } = changes(1000, [
      [10, 2000],
      [20, 1000],
    ]);
    expect(differences).toEqual([667, -333]);
    expect(charges.accrued_cents).toBeCloseTo(1000 / 3 + 2000 / 3, 9);
    expect(periodDue(charges, period)).toBe(1333);
  });

  it('treats an empty period as nothing to bill', () => {
    const empty = { start: period.start, end: period.start };
    const change = changeRate(startCharges(3000, empty), empty, day(0), 6000);
    expect([change.left, change.difference]).toEqual([0, 0]);
    expect(periodDue(change.charges, empty)).toBe(0);
  });
});
