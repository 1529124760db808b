import type { Knex } from 'knex';
import type { HotPool } from '../../../core/db';
import { AppError, Forbidden } from '../../../core/errors';
import { groupCommit } from '../../../core/group-commit';
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

/**
 * A statement error that is the event's own doing: a value Postgres refuses (class 22, data
 * exception, e.g. a counter pushed past bigint; class 23, integrity). Validation refuses what it
 * can foresee; this answers the rest 422 rather than 500.
 */
const refusedValue = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown }).code));
function unstorable(what: string, err: unknown) {
  const outOfRange = (err as { code?: unknown }).code === '22003';
  const why = outOfRange ? 'quantity out of range for its counter' : 'it holds a value the database refuses';
  return new AppError('unprocessable', 422, `${what} cannot be stored: ${why}`);
}

/**
 * Used and quota for one period, and what is left (0 at the least; a soft plan's excess is
 * overage): for showing. Whether usage is refused is not decided here: that is the quota rule,
 * billing.quota_refuses in Postgres (migrations/20261204000200_billing_quota_rule.ts), which the
 * counting trigger enforces and quota-check and batch-report ask; see docs/billing.md.
 */
function standing(terms: PlanTerms, used: { tokens: number; requests: number }) {
  return {
    used,
    quota: { tokens: terms.quota_tokens, requests: terms.quota_requests },
    remaining: { tokens: Math.max(0, terms.quota_tokens - used.tokens), requests: Math.max(0, terms.quota_requests - used.requests) },
    overage: { tokens: Math.max(0, used.tokens - terms.quota_tokens), requests: Math.max(0, used.requests - terms.quota_requests) },
    soft_limit: terms.soft_limit,
  };
}

type KeyRef = { keyId: string; customerId: string };
type Used = { tokens: number; requests: number };
/** `metadata` is serialized by the report itself, so a failure to is its own and not its statement's. */
type Report = { key: KeyRef; event: UsageEvent; metadata: string | null };
/** A report as written: stored (or a duplicate), when, and the period's terms and counter right after it. */
type Written = { stored: boolean; at: string; terms: PlanTerms; used: Used };
/** A quota check's answer from the database: the period, and whether the rule refuses (or, soft, bills) what is needed. */
type Standing = { terms: PlanTerms; used: Used; periodEnd: string; refused: boolean; over: boolean };

/** Which stored event a report names: its customer and event_id (undefined without one). */
const eventKey = ({ key, event }: Report) => (event.event_id ? `${key.customerId}\n${event.event_id}` : undefined);

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

  /**
   * Single reports from every connection are written together (core/group-commit.ts): one
   * statement stores many events and its trigger advances each counter once, where one statement
   * per report would queue every report of a customer on its counter row.
   */
  const writeReport = groupCommit<Report, Written>({
    slots: 2,
    max: 500,
    key: eventKey,
    run: (reports) => writeApart(reports),
  });

  /**
   * One event can undo its whole statement (it would pass a hard quota). Then the events are
   * written again apart, each customer's on their own and, within the customer at fault, one by
   * one, so only that event is refused and no other customer waits on it. An error of the
   * connection or the server (no SQLSTATE, or class 08, 53, 57, 58, XX) is every event's: not retried.
   */
  async function writeApart(reports: Report[]): Promise<(Written | Error)[]> {
    try {
      return await insertReports(reports);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const eventsFault = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57|58|XX)/.test(code);
      if (reports.length === 1 || !eventsFault) return reports.map(() => err as Error);
      const byCustomer = new Map<string, { r: Report; i: number }[]>();
      reports.forEach((r, i) => {
        const own = byCustomer.get(r.key.customerId) ?? [];
        if (!own.length) byCustomer.set(r.key.customerId, own);
        own.push({ r, i });
      });
      const parts = byCustomer.size > 1 ? [...byCustomer.values()] : reports.map((r, i) => [{ r, i }]);
      const results: (Written | Error)[] = [];
      await Promise.all(parts.map(async (part) => (await writeApart(part.map(({ r }) => r))).forEach((w, j) => (results[part[j].i] = w))));
      return results;
    }
  }

  /** Stores the events in one statement; for each, whether it was stored and the counter after it. */
  async function insertReports(reports: Report[]): Promise<(Written | Error)[]> {
    const col = (f: (r: Report) => string | number | null) => reports.map(f);
    const {
      rows: [r],
    } = await pool.query(
      `with e as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::timestamptz[])
           as e(customer_id, api_key_id, event_id, event_type, quantity, endpoint, metadata, at)),
       sub as (
         select customer_id, current_period_start ps, period_terms t from billing.subscriptions
          where customer_id in (select customer_id from e) and status = any($9::text[])),
       ins as (
         insert into billing.usage_events (customer_id, api_key_id, event_id, event_type, quantity, endpoint, metadata, occurred_at, period_start)
         select e.customer_id, e.api_key_id, e.event_id, e.event_type, e.quantity, e.endpoint, e.metadata::jsonb, coalesce(e.at, now()), sub.ps
           from e join sub using (customer_id)
         on conflict (customer_id, event_id) do nothing returning customer_id, event_id)
       select now() at,
              (select coalesce(json_agg(json_build_array(customer_id, event_id)), '[]') from ins where event_id is not null) stored,
              (select coalesce(json_agg(json_build_object('customer_id', sub.customer_id, 't', sub.t, 'tokens', coalesce(c.tokens, 0)::text, 'requests', coalesce(c.requests, 0)::text)), '[]')
                 from sub left join billing.usage_counters c on c.customer_id = sub.customer_id and c.period_start = sub.ps) subs`,
      [
        col((r) => r.key.customerId), col((r) => r.key.keyId), col((r) => r.event.event_id ?? null), col((r) => r.event.event_type), col((r) => r.event.quantity),
        col((r) => r.event.endpoint ?? null), col((r) => r.metadata), col((r) => r.event.timestamp ?? null), METERED_STATUSES,
      ],
    );
    const stored = new Set((r.stored as [string, string][]).map(([c, id]) => `${c}\n${id}`));
    // The counters as the statement saw them (before its own events); each event adds its own, in order.
    const counters = new Map<string, { terms: PlanTerms; used: Used }>(
      (r.subs as { customer_id: string; t: PlanTerms; tokens: string; requests: string }[]).map((x) => [x.customer_id, { terms: x.t, used: { tokens: Number(x.tokens), requests: Number(x.requests) } }]),
    );
    const at = new Date(r.at).toISOString();
    return reports.map((report) => {
      const c = counters.get(report.key.customerId);
      if (!c) return noSubscription();
      const id = eventKey(report);
      const isStored = id === undefined || stored.has(id);
      if (isStored) {
        const q = split(report.event);
        c.used = { tokens: c.used.tokens + q.tokens, requests: c.used.requests + q.requests };
      }
      return { stored: isStored, at, terms: c.terms, used: c.used };
    });
  }

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
        [checks.map((c) => c.customerId), checks.map((c) => c.needed.tokens), checks.map((c) => c.needed.requests), METERED_STATUSES],
      );
      const byCheck = new Map(rows.map((x) => [Number(x.i), x]));
      return checks.map((_, i) => {
        const x = byCheck.get(i + 1);
        return x
          ? { terms: x.t as PlanTerms, used: { tokens: Number(x.tokens), requests: Number(x.requests) }, periodEnd: new Date(x.pe).toISOString(), refused: x.refused as boolean, over: x.past_quota as boolean }
          : noSubscription();
      });
    },
  });

  return {
    /**
     * One event: written with the reports arriving meanwhile from every connection (see
     * `writeReport`), stored unless its event_id was seen, counted by the database's trigger,
     * refused (and not stored) if it would pass a hard quota. `remaining_quota` is what was left
     * right after this event, as its statement saw the counter.
     */
    async report(key: KeyRef, e: UsageEvent) {
      let r: Written;
      const metadata = e.metadata ? JSON.stringify(e.metadata) : null;
      try {
        r = await writeReport({ key, event: e, metadata });
      } catch (err) {
        if (refusedValue(err)) throw unstorable('the event', err);
        if ((err as { code?: string }).code !== 'P0001' || !/quota_exceeded/.test((err as Error).message)) throw err;
        const p = await period(key.customerId);
        throw new QuotaExceeded({ ...standing(p.terms, await used(key.customerId, p.start)), requested: split(e), period_end: p.end.toISOString() });
      }
      return { recorded_at: r.at, duplicate: !r.stored, remaining_quota: standing(r.terms, r.used).remaining };
    },

    /**
     * Many events in one transaction. The period's counter row is locked first, so duplicates and
     * quota are judged against everything committed before; each event is accepted or refused
     * whole (bad input, or over a hard quota), in order; the insert's trigger counts what is stored.
     */
    async batchReport(key: KeyRef, events: { ok: UsageEvent; index: number }[], refused: { index: number; reason: string }[]) {
      const failed = [...refused];
      const result = await db.transaction(async (trx) => {
        const p = await period(key.customerId, trx);
        const { rows } = await trx.raw(
          `insert into billing.usage_counters as c (customer_id, period_start) values (?, ?)
           on conflict (customer_id, period_start) do update set tokens = c.tokens returning tokens, requests`,
          [key.customerId, p.start],
        );
        // Each event in order: a duplicate (its event_id stored before, or admitted earlier in
        // this batch), refused (billing.quota_refuses, the trigger's own rule, on the counter plus
        // what was admitted before it), or admitted. Asked of the database in one statement, so the
        // rule is not repeated here. Usually the whole batch fits (one call of the rule on the sum:
        // a quota is a cap, so every prefix fits too); only when it does not are the events walked.
        const {
          rows: [walk],
        } = await trx.raw(
          `with recursive e as (select ?::text[] ids, ?::numeric[] tokens, ?::numeric[] requests, ?::jsonb terms, ?::numeric t0, ?::numeric r0),
           seen as (select array(select u.event_id::text from billing.usage_events u, e where u.customer_id = ? and u.event_id = any(e.ids)) ids),
           x as (
             select x.i, x.tk, x.rq, x.id is not null and (x.id = any(seen.ids) or row_number() over (partition by x.id order by x.i) > 1) dup
               from e, seen, unnest(e.ids, e.tokens, e.requests) with ordinality x(id, tk, rq, i)),
           whole as (
             select not billing.quota_refuses(e.terms, e.t0 + (select coalesce(sum(tk), 0) from x where not dup),
                                              e.r0 + (select coalesce(sum(rq), 0) from x where not dup)) fits from e),
           walk(i, tokens, requests, ids, verdict) as (
             select 0, e.t0, e.r0, seen.ids, null::text from e, seen, whole where not whole.fits
             union all
             select w.i + 1, w.tokens + case when v.verdict = 'admitted' then e.tokens[w.i + 1] else 0 end,
                    w.requests + case when v.verdict = 'admitted' then e.requests[w.i + 1] else 0 end,
                    case when v.verdict = 'admitted' and e.ids[w.i + 1] is not null then w.ids || e.ids[w.i + 1] else w.ids end,
                    v.verdict
               from walk w cross join e
              cross join lateral (
                select case when e.ids[w.i + 1] = any(w.ids) then 'duplicate'
                            when billing.quota_refuses(e.terms, w.tokens + e.tokens[w.i + 1], w.requests + e.requests[w.i + 1]) then 'refused'
                            else 'admitted' end verdict) v
              where w.i < cardinality(e.tokens))
           select coalesce(case when (select fits from whole)
                                then (select array_agg(case when dup then 'duplicate' else 'admitted' end order by i) from x)
                                else (select array_agg(verdict order by i) from walk where i > 0) end, '{}') verdicts`,
          [
            events.map((e) => e.ok.event_id ?? null) as unknown as Knex.Value,
            events.map((e) => split(e.ok).tokens) as unknown as Knex.Value,
            events.map((e) => split(e.ok).requests) as unknown as Knex.Value,
            JSON.stringify(p.terms), rows[0].tokens, rows[0].requests, key.customerId,
          ],
        );
        let duplicates = 0;
        const accepted: { ok: UsageEvent; index: number }[] = [];
        (walk.verdicts as ('duplicate' | 'refused' | 'admitted')[]).forEach((verdict, i) => {
          if (verdict === 'duplicate') duplicates++;
          else if (verdict === 'refused') failed.push({ index: events[i].index, reason: 'Quota exceeded' });
          else accepted.push(events[i]);
        });
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
      }).catch((err) => {
        throw refusedValue(err) ? unstorable('the batch', err) : err; // rolled back: nothing recorded
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
