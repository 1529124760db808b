import type { Knex } from 'knex';
import { sha256 } from '../../core/crypto';

/** At most `limit` events per key in a sliding window of `windowSeconds`, counted in `bucket`. */
export interface Limit {
  bucket: string;
  limit: number;
  windowSeconds: number;
}

/** The reserved events' ids in the claims' order, or the limit that refused and its wait in seconds. */
export type Reservation = { ok: true; ids: string[] } | { ok: false; refused: Limit; retryAfter: number };

const table = 'platform.rate_limit_events';

/** A transaction-scoped advisory lock id for one bucket and key (64 bits of its SHA-256). */
const lockId = (bucket: string, key: string) =>
  BigInt.asIntN(64, BigInt(`0x${sha256(`${bucket}|${key}`).slice(0, 16)}`));

/**
 * Counts events per key in sliding windows, in Postgres so a restart forgets nothing and several
 * API processes share one count. An event is reserved before the work it limits, atomically: under
 * an advisory lock on each key, the window is counted and the event written only while every limit
 * has room, so a burst of concurrent requests cannot all pass a count taken before any of them wrote.
 */
export function createRateLimits(db: Knex) {
  const windowStart = (seconds: number) => db.raw('now() - make_interval(secs => ?)', [seconds]);

  return {
    /** One event under each limit's key, or none when any of them is used up (with the wait it names). */
    async reserve(claims: { limit: Limit; key: string }[]): Promise<Reservation> {
      return db.transaction(async (trx) => {
        // Locks taken in one order, so two reservations sharing keys never wait on each other in a circle.
        const locks = [...new Set(claims.map((c) => lockId(c.limit.bucket, c.key)))].sort((a, b) =>
          a < b ? -1 : 1,
        );
        for (const id of locks) await trx.raw('select pg_advisory_xact_lock(?::bigint)', [id.toString()]);
        for (const { limit, key } of claims) {
          const oldest = await trx(table)
            .where({ bucket: limit.bucket, key })
            .where('at', '>', windowStart(limit.windowSeconds))
            .orderBy('at', 'desc')
            .offset(limit.limit - 1)
            .first(
              trx.raw('extract(epoch from (at + make_interval(secs => ?) - now())) as wait', [
                limit.windowSeconds,
              ]),
            );
          if (oldest)
            return {
              ok: false as const,
              refused: limit,
              retryAfter: Math.max(1, Math.ceil(Number(oldest.wait))),
            };
        }
        for (const { limit, key } of claims)
          await trx(table)
            .where({ bucket: limit.bucket, key })
            .where('at', '<', windowStart(limit.windowSeconds))
            .delete();
        const rows: { id: string; bucket: string; key: string }[] = await trx(table)
          .insert(claims.map(({ limit, key }) => ({ bucket: limit.bucket, key })))
          .returning(['id', 'bucket', 'key']);
        // In the claims' order, whatever order the rows came back in.
        const ids = claims.map(({ limit, key }) =>
          String(rows.find((r) => r.bucket === limit.bucket && r.key === key)?.id),
        );
        return { ok: true as const, ids };
      });
    },
    /** Gives reserved events back (the work they stood for did not count against the limit). */
    async refund(ids: string[]): Promise<void> {
      if (ids.length) await db(table).whereIn('id', ids).delete();
    },
    /** Forgets every event of one key. */
    async clear(limit: Limit, key: string): Promise<void> {
      await db(table).where({ bucket: limit.bucket, key }).delete();
    },
  };
}
export type RateLimits = ReturnType<typeof createRateLimits>;
