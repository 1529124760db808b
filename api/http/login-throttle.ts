import type { Knex } from 'knex';
import { TooManyRequests } from '../../core/errors';
import { createRateLimits, type Limit } from './rate-limit';

/**
 * Password checks, limited per IP and account (`maxFailures`) and per IP across accounts
 * (`maxFailuresPerIp`), both over `windowSeconds`. Each check reserves its attempt under both
 * limits before the slow hash, atomically, so a burst gets no more guesses verified than the
 * limits allow. A wrong password keeps its attempts; a right one forgives the account's failures
 * and gives its IP attempt back (without forgiving the IP's other failures, which a second
 * account of the guesser's own could otherwise wipe); a check that did not run gives both back.
 */
export function createLoginThrottle(
  db: Knex,
  opts: { product: string; maxFailures: number; maxFailuresPerIp: number; windowSeconds: number },
) {
  const limits = createRateLimits(db);
  const perAccount: Limit = {
    bucket: `${opts.product}.login`,
    limit: opts.maxFailures,
    windowSeconds: opts.windowSeconds,
  };
  const perIp: Limit = {
    bucket: `${opts.product}.login-ip`,
    limit: opts.maxFailuresPerIp,
    windowSeconds: opts.windowSeconds,
  };

  return {
    /**
     * Runs `check` (the password verification) if both limits have room, and answers its verdict;
     * otherwise calls `onRefused` and throws 429 with the wait.
     */
    async check(
      ip: string,
      account: string,
      check: () => Promise<boolean>,
      onRefused?: () => Promise<unknown>,
    ): Promise<boolean> {
      const accountKey = `${ip}|${account.toLowerCase()}`;
      const reserved = await limits.reserve([
        { limit: perIp, key: ip },
        { limit: perAccount, key: accountKey },
      ]);
      if (!reserved.ok) {
        await onRefused?.();
        const who = reserved.refused === perIp ? 'from this address' : `for ${account}`;
        throw new TooManyRequests(
          `too many failed attempts ${who}; try again in ${reserved.retryAfter} s`,
          reserved.retryAfter,
        );
      }
      const [ipAttempt] = reserved.ids;
      let ok: boolean;
      try {
        ok = await check();
      } catch (err) {
        await limits.refund(reserved.ids);
        throw err;
      }
      if (ok) await Promise.all([limits.refund([ipAttempt]), limits.clear(perAccount, accountKey)]);
      return ok;
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
