import type { Knex } from 'knex';
import type { HotPool } from '../../../core/db';
import { AppError, Forbidden } from '../../../core/errors';
import { METERED_STATUSES, type PlanTerms } from '../../../activities/billing/terms';

/** What a report counts: `tokens_used` adds tokens, `api_call` adds requests. */
export const EVENT_TYPES = ['api_call', 'tokens_used'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export interface UsageEvent {
  event_type: EventType;
  quantity: number;
  event_id?: string;
  endpoint?: string;
  metadata?: Record<string, unknown>;
  timestamp?: string;
}

/** billing.md's over-quota answer: `{ success: false, data: "Quota exceeded", quota_info }`, 429. */
export class QuotaExceeded extends AppError {
  constructor(readonly quotaInfo: Record<string, unknown>) {
    super('quota_exceeded', 429, 'Quota exceeded');
  }
}

const noSubscription = () => new Forbidden('no active subscription: subscribe to a plan first');

/** Used and quota for one period, and what is left (0 at the least; a soft plan's excess is overage). */
function standing(terms: PlanTerms, used: { tokens: number; requests: number }) {
  return {
    used,
    quota: { tokens: terms.quota_tokens, requests: terms.quota_requests },
    remaining: { tokens: Math.max(0, terms.quota_tokens - used.tokens), requests: Math.max(0, terms.quota_requests - used.requests) },
    overage: { tokens: Math.max(0, used.tokens - terms.quota_tokens), requests: Math.max(0, used.requests - terms.quota_requests) },
    soft_limit: terms.soft_limit,
  };
}

const split = (e: Pick<UsageEvent, 'event_type' | 'quantity'>) => (e.event_type === 'tokens_used' ? { tokens: e.quantity, requests: 0 } : { tokens: 0, requests: e.quantity });

/**
 * Usage metering against the customer's live subscription period. Counters are one row per
 * customer and period, changed only by atomic upserts (exact under any concurrency); an event
 * with an `event_id` is stored once, so a retried one is counted once; a hard-limit plan refuses
 * what would pass its quota and records nothing of it.
 */
export function createUsageService(deps: { db: Knex; pool: HotPool }) {
  const { db, pool } = deps;

  async function period(customerId: string, trx: Knex = db) {
    const sub = await trx('billing.subscriptions').where({ customer_id: customerId }).whereIn('status', METERED_STATUSES).first('id', 'current_period_start', 'current_period_end', 'period_terms');
    if (!sub) throw noSubscription();
    return { start: new Date(sub.current_period_start), end: new Date(sub.current_period_end), terms: sub.period_terms as PlanTerms };
  }

  async function used(customerId: string, start: Date, trx: Knex = db) {
    const row = await trx('billing.usage_counters').where({ customer_id: customerId, period_start: start }).first('tokens', 'requests');
    return { tokens: Number(row?.tokens ?? 0), requests: Number(row?.requests ?? 0) };
  }

  return {
    /**
     * One event in one statement: stored with its period unless its event_id was seen, counted by
     * the database's trigger in the same statement (which refuses, undoing the insert, what would
     * pass a hard quota). `remaining_quota` is computed from the counter as this statement saw it.
     */
    async report(key: { keyId: string; customerId: string }, e: UsageEvent) {
      const q = split(e);
      let r;
      try {
        ({ rows: [r] } = await pool.query(
          `with sub as (
             select current_period_start ps, period_terms t from billing.subscriptions
              where customer_id = $1 and status = any($9::text[])),
           ins as (
             insert into billing.usage_events (customer_id, api_key_id, event_id, event_type, quantity, endpoint, metadata, occurred_at, period_start)
             select $1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()), sub.ps from sub
             on conflict (customer_id, event_id) do nothing returning recorded_at)
           select sub.t, (select recorded_at from ins) recorded_at, coalesce(c.tokens, 0) tokens, coalesce(c.requests, 0) requests
             from sub left join billing.usage_counters c on c.customer_id = $1 and c.period_start = sub.ps`,
          [key.customerId, key.keyId, e.event_id ?? null, e.event_type, e.quantity, e.endpoint ?? null, e.metadata ? JSON.stringify(e.metadata) : null, e.timestamp ?? null, METERED_STATUSES],
        ));
      } catch (err) {
        if ((err as { code?: string }).code !== 'P0001' || !/quota_exceeded/.test((err as Error).message)) throw err;
        const p = await period(key.customerId);
        throw new QuotaExceeded({ ...standing(p.terms, await used(key.customerId, p.start)), requested: q, period_end: p.end.toISOString() });
      }
      if (!r) throw noSubscription();
      const stored = Boolean(r.recorded_at);
      const now = { tokens: Number(r.tokens) + (stored ? q.tokens : 0), requests: Number(r.requests) + (stored ? q.requests : 0) };
      return {
        recorded_at: new Date(r.recorded_at ?? Date.now()).toISOString(),
        duplicate: !stored,
        remaining_quota: standing(r.t as PlanTerms, now).remaining,
      };
    },

    /**
     * Many events in one transaction. The period's counter row is locked first, so duplicates and
     * quota are judged against everything committed before; each event is accepted or refused
     * whole (bad input, or over a hard quota), in order; the insert's trigger counts what is stored.
     */
    async batchReport(key: { keyId: string; customerId: string }, events: { ok: UsageEvent; index: number }[], refused: { index: number; reason: string }[]) {
      const failed = [...refused];
      const result = await db.transaction(async (trx) => {
        const p = await period(key.customerId, trx);
        const { rows } = await trx.raw(
          `insert into billing.usage_counters as c (customer_id, period_start) values (?, ?)
           on conflict (customer_id, period_start) do update set tokens = c.tokens returning tokens, requests`,
          [key.customerId, p.start],
        );
        const total = { tokens: Number(rows[0].tokens), requests: Number(rows[0].requests) };
        const ids = events.map((e) => e.ok.event_id).filter((id): id is string => Boolean(id));
        const seen = new Set<string>(ids.length ? await trx('billing.usage_events').where({ customer_id: key.customerId }).whereIn('event_id', ids).pluck('event_id') : []);
        let duplicates = 0;
        const accepted: { ok: UsageEvent; index: number }[] = [];
        for (const e of events) {
          if (e.ok.event_id && seen.has(e.ok.event_id)) {
            duplicates++;
            continue;
          }
          const q = split(e.ok);
          if (!p.terms.soft_limit && (total.tokens + q.tokens > p.terms.quota_tokens || total.requests + q.requests > p.terms.quota_requests)) {
            failed.push({ index: e.index, reason: 'Quota exceeded' });
            continue;
          }
          total.tokens += q.tokens;
          total.requests += q.requests;
          if (e.ok.event_id) seen.add(e.ok.event_id);
          accepted.push(e);
        }
        if (accepted.length) {
          const cols = (f: (e: UsageEvent) => string | number | null) => accepted.map((a) => f(a.ok)) as unknown as Knex.Value;
          const { rows: inserted } = await trx.raw(
            `with ins as (
               insert into billing.usage_events (customer_id, api_key_id, event_id, event_type, quantity, endpoint, metadata, occurred_at, period_start)
               select ?, ?, e.event_id, e.event_type, e.quantity, e.endpoint, e.metadata::jsonb, coalesce(e.at, now()), ?::timestamptz
                 from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::timestamptz[]) as e(event_id, event_type, quantity, endpoint, metadata, at)
               on conflict (customer_id, event_id) do nothing returning event_type, quantity)
             select coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0) tokens, coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0) requests, count(*) n from ins`,
            [
              key.customerId, key.keyId, p.start, cols((e) => e.event_id ?? null), cols((e) => e.event_type), cols((e) => e.quantity), cols((e) => e.endpoint ?? null),
              cols((e) => (e.metadata ? JSON.stringify(e.metadata) : null)), cols((e) => e.timestamp ?? null),
            ],
          );
          // The insert's trigger advanced the counter by exactly what was stored.
          duplicates += accepted.length - Number(inserted[0].n); // lost a race to a concurrent report of the same event_id
        }
        return { p, duplicates, acceptedCount: accepted.length };
      });
      failed.sort((a, b) => a.index - b.index);
      return {
        processed_count: result.acceptedCount,
        duplicate_count: result.duplicates,
        failed_count: failed.length,
        failed,
        remaining_quota: standing(result.p.terms, await used(key.customerId, result.p.start)).remaining,
      };
    },

    /** Whether `needed` fits what is left this period (a soft plan always allows, reporting the overage). One query. */
    async quotaCheck(customerId: string, needed: { tokens: number; requests: number }) {
      const { rows } = await pool.query(
        `select s.current_period_end pe, s.period_terms t, coalesce(c.tokens, 0) tokens, coalesce(c.requests, 0) requests
           from billing.subscriptions s left join billing.usage_counters c on c.customer_id = s.customer_id and c.period_start = s.current_period_start
          where s.customer_id = $1 and s.status = any($2::text[])`,
        [customerId, METERED_STATUSES],
      );
      if (!rows[0]) throw noSubscription();
      const terms = rows[0].t as PlanTerms;
      const s = standing(terms, { tokens: Number(rows[0].tokens), requests: Number(rows[0].requests) });
      const fits = needed.tokens <= s.remaining.tokens && needed.requests <= s.remaining.requests;
      if (!fits && !terms.soft_limit) throw new QuotaExceeded({ ...s, requested: needed, period_end: new Date(rows[0].pe).toISOString() });
      return { allowed: true, remaining: s.remaining, ...(fits ? {} : { overage: true }) };
    },

    /** The current period: used, quota, and per-day (or per-hour) totals when asked. */
    async current(customerId: string, groupBy?: 'day' | 'hour') {
      const p = await period(customerId);
      const s = standing(p.terms, await used(customerId, p.start));
      return {
        period_start: p.start.toISOString(),
        period_end: p.end.toISOString(),
        tokens_used: s.used.tokens,
        requests_made: s.used.requests,
        quota: s.quota,
        remaining: s.remaining,
        overage: s.overage,
        ...(groupBy && { breakdown: await this.history(customerId, { start: p.start, end: p.end, granularity: groupBy === 'day' ? 'daily' : 'hourly' }) }),
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
        const iso = new Date(Date.UTC(r.bucket.getFullYear(), r.bucket.getMonth(), r.bucket.getDate(), r.bucket.getHours())).toISOString();
        return { [q.granularity === 'daily' ? 'date' : 'hour']: q.granularity === 'daily' ? iso.slice(0, 10) : iso, tokens_used: Number(r.tokens), requests_made: Number(r.requests) };
      });
    },

    async limits(customerId: string) {
      const p = await period(customerId);
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
export type UsageService = ReturnType<typeof createUsageService>;
