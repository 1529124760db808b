/**
 * Pages of a forum's comments (or a comment's replies) by position. Positions are dense (1…total:
 * a deleted comment keeps its place as a placeholder), so page p of n is a range of the unique
 * (thread, position) index, found in O(log n) at any depth, where OFFSET would walk every row
 * before it.
 */
export type CommentOrder = 'oldest' | 'newest';

/** The positions a page covers, lowest first, or null when the page lies past the last one. */
export function positionRange(
  page: number,
  limit: number,
  total: number,
  order: CommentOrder,
): { from: number; to: number } | null {
  const skipped = (page - 1) * limit;
  if (skipped >= total) return null;
  if (order === 'oldest') return { from: skipped + 1, to: Math.min(skipped + limit, total) };
  return { from: Math.max(total - skipped - limit + 1, 1), to: total - skipped };
}
