import type { Knex } from 'knex';

/**
 * Counts events per key in a sliding window, in Postgres so a restart forgets nothing and
 * several API processes share one count.
 */
export function createRateLimiter(db: Knex, opts: { bucket: string; limit: number; windowSeconds: number }) {
  const table = 'platform.rate_limit_events';
  const inWindow = (key: string) =>
    db(table)
      .where({ bucket: opts.bucket, key })
      .where('at', '>', db.raw('now() - make_interval(secs => ?)', [opts.windowSeconds]));

  return {
    /** Seconds until the key may try again; 0 when it may now. */
    async retryAfter(key: string): Promise<number> {
      const row = await inWindow(key)
        .orderBy('at', 'desc')
        .offset(opts.limit - 1)
        .first(db.raw('extract(epoch from (at + make_interval(secs => ?) - now())) as wait', [opts.windowSeconds]));
      return row ? Math.max(1, Math.ceil(Number(row.wait))) : 0;
    },
    async hit(key: string): Promise<void> {
      await db(table).insert({ bucket: opts.bucket, key });
      await db(table).where({ bucket: opts.bucket, key }).where('at', '<', db.raw('now() - make_interval(secs => ?)', [opts.windowSeconds])).delete();
    },
    async clear(key: string): Promise<void> {
      await db(table).where({ bucket: opts.bucket, key }).delete();
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
