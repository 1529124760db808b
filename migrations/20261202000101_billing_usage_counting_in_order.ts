import type { Knex } from 'knex';

/**
 * billing: one statement may now store events of several customers (usage reports are written
 * together, api/products/billing/usage.ts). The counting trigger therefore takes the counter rows
 * in one fixed order (customer, period), so two such statements never lock each other's rows in
 * opposite orders (a deadlock Postgres would break only after deadlock_timeout).
 */
const counting = (order: string) => `
  create or replace function billing.count_usage() returns trigger language plpgsql as $$
  begin
    with added as (
      select customer_id, period_start,
             coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0) as tokens,
             coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0) as requests
        from inserted where period_start is not null group by customer_id, period_start)
    insert into billing.usage_counters as c (customer_id, period_start, tokens, requests)
    select customer_id, period_start, tokens, requests from added ${order}
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
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(counting('order by customer_id, period_start'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(counting(''));
}
