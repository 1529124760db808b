import type { Knex } from 'knex';
import type { HotPool } from '../../../core/db';
import { groupCommit } from '../../../core/group-commit';
import { METERED_STATUSES, type PlanTerms } from '../../../activities/billing/terms';
import {
  noSubscription,
  period,
  QuotaExceeded,
  standing,
  used,
  type Standing,
  type Used,
} from './usage-terms';

/** The read side of usage metering: quota checks (batched across connections) and the period's summaries. */
export function createUsageReads(deps: { db: Knex; pool: HotPool }) {
  const { db, pool } = deps;

  /**
   * Concurrent quota checks share one query that starts after they all arrived (so each sees
   * every report answered before it was asked). Whether `needed` would be refused is the
   * database's rule (billing.quota_refuses, migrations/20261204000200_billing_quota_rule.ts), the
   * one the counting trigger enforces on every report, asked here rather than repeated.
   */
  const readStanding = groupCommit<{ customerId: string; needed: Used }, Standing>({
    slots: 2,
    max: 500,
    run: async (checks) => {
      const { rows } = await pool.query(
        `select n.i, s.current_period_end pe, s.period_terms t, u.tokens, u.requests,
                billing.quota_refuses(s.period_terms, u.tokens::numeric + n.tokens, u.requests::numeric + n.requests) refused,
                billing.over_quota(s.period_terms, u.tokens::numeric + n.tokens, u.requests::numeric + n.requests) past_quota
           from unnest($1::text[], $2::numeric[], $3::numeric[]) with ordinality n(customer_id, tokens, requests, i)
           join billing.subscriptions s on s.customer_id = n.customer_id and s.status = any($4::text[])
           left join billing.usage_counters c on c.customer_id = s.customer_id and c.period_start = s.current_period_start
          cross join lateral (select coalesce(c.tokens, 0) tokens, coalesce(c.requests, 0) requests) u`,
        [
          checks.map((c) => c.customerId),
          checks.map((c) => c.needed.tokens),
          checks.map((c) => c.needed.requests),
          METERED_STATUSES,
        ],
      );
      const byCheck = new Map(rows.map((x) => [Number(x.i), x]));
      return checks.map((_, i) => {
        const x = byCheck.get(i + 1);
        return x
          ? {
              terms: x.t as PlanTerms,
              used: { tokens: Number(x.tokens), requests: Number(x.requests) },
              periodEnd: new Date(x.pe).toISOString(),
              refused: x.refused as boolean,
              over: x.past_quota as boolean,
            }
          : noSubscription();
      });
    },
  });

  return {
    /**
     * Whether a report of `needed` would be admitted now (billing.quota_refuses decides, as the
     * trigger will); a soft plan always allows, saying when it would be overage.
     */
    async quotaCheck(customerId: string, needed: { tokens: number; requests: number }) {
      const row = await readStanding({ customerId, needed });
      const s = standing(row.terms, row.used);
      if (row.refused) throw new QuotaExceeded({ ...s, requested: needed, period_end: row.periodEnd });
      return { allowed: true, remaining: s.remaining, ...(row.over ? { overage: true } : {}) };
    },

    /** The current period: used, quota, and per-day (or per-hour) totals when asked. */
    async current(customerId: string, groupBy?: 'day' | 'hour') {
      const p = await period(db, customerId);
      const s = standing(p.terms, await used(db, customerId, p.start));
      return {
        period_start: p.start.toISOString(),
        period_end: p.end.toISOString(),
        tokens_used: s.used.tokens,
        requests_made: s.used.requests,
        quota: s.quota,
        remaining: s.remaining,
        overage: s.overage,
        ...(groupBy && {
          breakdown: await this.history(customerId, {
            start: p.start,
            end: p.end,
            granularity: groupBy === 'day' ? 'daily' : 'hourly',
          }),
        }),
      };
    },

    /** Totals per UTC day or hour between two instants, from the events themselves. */
    async history(customerId: string, q: { start: Date; end: Date; granularity: 'daily' | 'hourly' }) {
      const unit = q.granularity === 'daily' ? 'day' : 'hour';
      const { rows } = await db.raw(
        `select date_trunc(?, occurred_at at time zone 'UTC') bucket,
                coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0) tokens, coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0) requests
           from billing.usage_events where customer_id = ? and occurred_at >= ? and occurred_at < ? group by 1 order by 1`,
        [unit, customerId, q.start, q.end],
      );
      return rows.map((r: { bucket: Date; tokens: string; requests: string }) => {
        const iso = new Date(
          Date.UTC(r.bucket.getFullYear(), r.bucket.getMonth(), r.bucket.getDate(), r.bucket.getHours()),
        ).toISOString();
        return {
          [q.granularity === 'daily' ? 'date' : 'hour']: q.granularity === 'daily' ? iso.slice(0, 10) : iso,
          tokens_used: Number(r.tokens),
          requests_made: Number(r.requests),
        };
      });
    },

    async limits(customerId: string) {
      const p = await period(db, customerId);
      const plan = await db('billing.plans').where({ id: p.terms.plan_id }).first('name');
      return {
        plan: plan?.name ?? null,
        limits: { tokens_monthly: p.terms.quota_tokens, requests_monthly: p.terms.quota_requests },
        soft_limit: p.terms.soft_limit,
        overage_cents_per_1k_tokens: p.terms.overage_cents_per_1k_tokens,
        overage_cents_per_request: p.terms.overage_cents_per_request,
        period_end: p.end.toISOString(),
      };
    },
  };
}
