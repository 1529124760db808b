import { z } from 'zod';

/**
 * The largest value each Postgres whole-number column takes from the API: `integer` (int4) ends at
 * 2^31 − 1; `bigint` (int8) goes further, but a JS number is exact only up to 2^53 − 1.
 */
export const COLUMN_MAX = { integer: 2_147_483_647, bigint: Number.MAX_SAFE_INTEGER } as const;
type Column = keyof typeof COLUMN_MAX;

/**
 * A whole number that fits the column it is stored in (or compared with). zod's int() stops only at
 * 2^53, so a larger value for an `integer` column reached Postgres and came back as a 500 (out of
 * range); bounded here it is a 400 naming the field. Narrow it further where the domain says so.
 * `notWhole` is the message for a fraction, e.g. "must be a whole number of cents".
 */
export function wholeNumber(column: Column, notWhole?: string) {
  const { max, atMost, error } = bounds(column, notWhole);
  return z.number().int({ error }).max(max, atMost);
}

/** The same, for a query-string or path parameter (a string to read as a number). */
export function wholeNumberParam(column: Column, notWhole?: string) {
  const { max, atMost, error } = bounds(column, notWhole);
  return z.coerce.number().int({ error }).max(max, atMost);
}

function bounds(column: Column, notWhole: string | undefined) {
  const max = COLUMN_MAX[column];
  const atMost = `must be at most ${max}`;
  // int() reports a value past 2^53 as its own issue: say the same bound as max() for it.
  const error = (issue: { code?: string }) => (issue.code === 'too_big' ? atMost : notWhole);
  return { max, atMost, error };
}
