import type { Knex } from 'knex';
import { pagination, type Pagination } from './envelope';

/**
 * One page of a filtered list, ordered by its integer id, and academy.md's pagination object.
 *
 * A deep page stays flat: the offset is walked over the id alone (a "deferred join": the inner
 * select reads only the index on the filter's columns and id, e.g. programs (status, id)), and only
 * the page's `limit` rows are then read whole. The total is a count over the same index.
 * `query` selects the rows with their filters and no order.
 */
export async function paged<Row>(
  query: Knex.QueryBuilder,
  opts: { page: number; limit: number; id: string; order?: 'asc' | 'desc'; orderFirst?: string[] },
): Promise<{ rows: Row[]; pagination: Pagination }> {
  const order = opts.order ?? 'asc';
  // The columns to order by: `orderFirst` (e.g. a module's position), then the id breaking ties.
  const sort = [...(opts.orderFirst ?? []), opts.id].map((column) => ({ column, order }));
  const ids = query
    .clone()
    .clearSelect()
    .clearOrder()
    .select(opts.id)
    .orderBy(sort)
    .offset((opts.page - 1) * opts.limit)
    .limit(opts.limit);
  const [counted, rows] = await Promise.all([
    query.clone().clearSelect().clearOrder().count({ n: '*' }).first(),
    query.clone().whereIn(opts.id, ids).orderBy(sort),
  ]);
  const total = Number((counted as { n: string | number } | undefined)?.n ?? 0);
  return { rows: rows as Row[], pagination: pagination(opts.page, opts.limit, total, rows.length) };
}

/** A search term as a LIKE pattern that matches it anywhere, its wildcards taken literally. */
export const containing = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
