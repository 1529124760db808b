import type { Knex } from 'knex';

/**
 * billing: usage counters are advanced by the database, in the statement that stores the events.
 * A statement-level trigger sums what the statement inserted per customer and period, adds it to
 * the counter with an upsert (exact under any concurrency), and raises `quota_exceeded` when a
 * hard-limit period would pass its quota, which undoes the whole statement: the event is not
 * stored either. A duplicate event (its event_id seen) inserts nothing and so counts nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('billing').alterTable('usage_events', (t) => {
    t.timestamp('period_start', { useTz: true });
  });
  await knex.raw(`
    create function billing.count_usage() returns trigger language plpgsql as $$
    begin
      with added as (
        select customer_id, period_start,
               coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0) as tokens,
               coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0) as requests
          from inserted where period_start is not null group by customer_id, period_start)
      insert into billing.usage_counters as c (customer_id, period_start, tokens, requests)
      select customer_id, period_start, tokens, requests from added
      on conflict (customer_id, period_start) do update set tokens = c.tokens + excluded.tokens, requests = c.requests + excluded.requests;

      if exists (
        select 1 from (select distinct customer_id, period_start from inserted) i
          join billing.usage_counters c using (customer_id, period_start)
          join billing.subscriptions s on s.customer_id = c.customer_id and s.current_period_start = c.period_start
                                      and s.status in ('trialing', 'active', 'past_due')
         where not (s.period_terms->>'soft_limit')::boolean
           and (c.tokens > (s.period_terms->>'quota_tokens')::bigint or c.requests > (s.period_terms->>'quota_requests')::bigint))
      then
        raise exception 'quota_exceeded' using errcode = 'P0001';
      end if;
      return null;
    end $$;
  `);
  await knex.raw(
    `create trigger usage_events_count after insert on billing.usage_events referencing new table as inserted for each statement execute function billing.count_usage()`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger usage_events_count on billing.usage_events');
  await knex.raw('drop function billing.count_usage()');
  await knex.schema.withSchema('billing').alterTable('usage_events', (t) => t.dropColumn('period_start'));
}
