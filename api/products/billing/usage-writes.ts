import type { Knex } from 'knex';
import type { HotPool } from '../../../core/db';
import { groupCommit } from '../../../core/group-commit';
import { METERED_STATUSES, type PlanTerms } from '../../../activities/billing/terms';
import {
  eventKey,
  noSubscription,
  period,
  QuotaExceeded,
  refusedValue,
  split,
  standing,
  unstorable,
  used,
  type KeyRef,
  type Report,
  type UsageEvent,
  type Used,
  type Written,
} from './usage-terms';

/**
 * The write path of usage metering: single reports group-committed across connections, and
 * batches in one transaction. Counters are one row per customer and period, changed only by the
 * counting trigger's atomic upserts; an event with an `event_id` is stored once; a hard-limit plan
 * refuses what would pass its quota and records nothing of it.
 */
export function createUsageWrites(deps: { db: Knex; pool: HotPool }) {
  const { db, pool } = deps;

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
      const eventsFault =
        typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57|58|XX)/.test(code);
      if (reports.length === 1 || !eventsFault) return reports.map(() => err as Error);
      const byCustomer = new Map<string, { r: Report; i: number }[]>();
      reports.forEach((r, i) => {
        const own = byCustomer.get(r.key.customerId) ?? [];
        if (!own.length) byCustomer.set(r.key.customerId, own);
        own.push({ r, i });
      });
      const parts = byCustomer.size > 1 ? [...byCustomer.values()] : reports.map((r, i) => [{ r, i }]);
      const results: (Written | Error)[] = [];
      await Promise.all(
        parts.map(async (part) =>
          (await writeApart(part.map(({ r }) => r))).forEach((w, j) => (results[part[j].i] = w)),
        ),
      );
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
        col((r) => r.key.customerId),
        col((r) => r.key.keyId),
        col((r) => r.event.event_id ?? null),
        col((r) => r.event.event_type),
        col((r) => r.event.quantity),
        col((r) => r.event.endpoint ?? null),
        col((r) => r.metadata),
        col((r) => r.event.timestamp ?? null),
        METERED_STATUSES,
      ],
    );
    const stored = new Set((r.stored as [string, string][]).map(([c, id]) => `${c}\n${id}`));
    // The counters as the statement saw them (before its own events); each event adds its own, in order.
    const counters = new Map<string, { terms: PlanTerms; used: Used }>(
      (r.subs as { customer_id: string; t: PlanTerms; tokens: string; requests: string }[]).map((x) => [
        x.customer_id,
        { terms: x.t, used: { tokens: Number(x.tokens), requests: Number(x.requests) } },
      ]),
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
        if ((err as { code?: string }).code !== 'P0001' || !/quota_exceeded/.test((err as Error).message))
          throw err;
        const p = await period(db, key.customerId);
        throw new QuotaExceeded({
          ...standing(p.terms, await used(db, key.customerId, p.start)),
          requested: split(e),
          period_end: p.end.toISOString(),
        });
      }
      return {
        recorded_at: r.at,
        duplicate: !r.stored,
        remaining_quota: standing(r.terms, r.used).remaining,
      };
    },

    /**
     * Many events in one transaction. The period's counter row is locked first, so duplicates and
     * quota are judged against everything committed before; each event is accepted or refused
     * whole (bad input, or over a hard quota), in order; the insert's trigger counts what is stored.
     */
    async batchReport(
      key: KeyRef,
      events: { ok: UsageEvent; index: number }[],
      refused: { index: number; reason: string }[],
    ) {
      const failed = [...refused];
      const result = await db
        .transaction(async (trx) => {
          const p = await period(trx, key.customerId);
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
              JSON.stringify(p.terms),
              rows[0].tokens,
              rows[0].requests,
              key.customerId,
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
            const cols = (f: (e: UsageEvent) => string | number | null) =>
              accepted.map((a) => f(a.ok)) as unknown as Knex.Value;
            const { rows: inserted } = await trx.raw(
              `with ins as (
               insert into billing.usage_events (customer_id, api_key_id, event_id, event_type, quantity, endpoint, metadata, occurred_at, period_start)
               select ?, ?, e.event_id, e.event_type, e.quantity, e.endpoint, e.metadata::jsonb, coalesce(e.at, now()), ?::timestamptz
                 from unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::timestamptz[]) as e(event_id, event_type, quantity, endpoint, metadata, at)
               on conflict (customer_id, event_id) do nothing returning event_type, quantity)
             select coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0) tokens, coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0) requests, count(*) n from ins`,
              [
                key.customerId,
                key.keyId,
                p.start,
                cols((e) => e.event_id ?? null),
                cols((e) => e.event_type),
                cols((e) => e.quantity),
                cols((e) => e.endpoint ?? null),
                cols((e) => (e.metadata ? JSON.stringify(e.metadata) : null)),
                cols((e) => e.timestamp ?? null),
              ],
            );
            // The insert's trigger advanced the counter by exactly what was stored.
            duplicates += accepted.length - Number(inserted[0].n); // lost a race to a concurrent report of the same event_id
          }
          return { p, duplicates, acceptedCount: accepted.length };
        })
        .catch((err) => {
          throw refusedValue(err) ? unstorable('the batch', err) : err; // rolled back: nothing recorded
        });
      failed.sort((a, b) => a.index - b.index);
      return {
        processed_count: result.acceptedCount,
        duplicate_count: result.duplicates,
        failed_count: failed.length,
        failed,
        remaining_quota: standing(result.p.terms, await used(db, key.customerId, result.p.start)).remaining,
      };
    },
  };
}
