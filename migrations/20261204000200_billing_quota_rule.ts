import type { Knex } from 'knex';

/**
 * billing: the quota rule, written once. `billing.quota_refuses(terms, tokens, requests)` says
 * whether a period on these terms (subscriptions.period_terms) refuses to reach these counters: a
 * hard-limit plan refuses passing either quota; a soft-limit plan refuses nothing (the excess is
 * billed as overage). `billing.over_quota` is the "past a quota" half, for telling a soft plan's
 * overage. The counting trigger (the authority: it refuses inside the statement that stores the
 * events, so no race) now calls it, and so do quota-check and batch-report
 * (api/products/billing/usage.ts), instead of each repeating the comparison. Counters are
 * compared as numeric, so a question about a sum past bigint is answered, not an error.
 */
const rule = `
  create or replace function billing.over_quota(terms jsonb, tokens numeric, requests numeric) returns boolean
  language sql immutable as $$
    select coalesce(tokens > (terms->>'quota_tokens')::numeric or requests > (terms->>'quota_requests')::numeric, false)
  $$;
  create or replace function billing.quota_refuses(terms jsonb, tokens numeric, requests numeric) returns boolean
  language sql immutable as $$
    select coalesce(not (terms->>'soft_limit')::boolean, false) and billing.over_quota(terms, tokens, requests)
  $$;
`;

/** As 20261202000101 (counter rows in one fixed order), with the refusal asking the rule. */
const counting = (refuses: string) => `
  create or replace function billing.count_usage() returns trigger language plpgsql as $$
  begin
    with added as (
      select customer_id, period_start,
             coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0) as tokens,
             coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0) as requests
        from inserted where period_start is not null group by customer_id, period_start)
    insert into billing.usage_counters as c (customer_id, period_start, tokens, requests)
    select customer_id, period_start, tokens, requests from added order by customer_id, period_start
    on conflict (customer_id, period_start) do update set tokens = c.tokens + excluded.tokens, requests = c.requests + excluded.requests;

    if exists (
      select 1 from (select distinct customer_id, period_start from inserted) i
        join billing.usage_counters c using (customer_id, period_start)
        join billing.subscriptions s on s.customer_id = c.customer_id and s.current_period_start = c.period_start
                                    and s.status in ('trialing', 'active', 'past_due')
       where ${refuses})
    then
      raise exception 'quota_exceeded' using errcode = 'P0001';
    end if;
    return null;
  end $$;
`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(rule);
  await knex.raw(counting('billing.quota_refuses(s.period_terms, c.tokens, c.requests)'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    counting(
      `not (s.period_terms->>'soft_limit')::boolean
         and (c.tokens > (s.period_terms->>'quota_tokens')::bigint or c.requests > (s.period_terms->>'quota_requests')::bigint)`,
    ),
  );
  await knex.raw('drop function billing.quota_refuses(jsonb, numeric, numeric)');
  await knex.raw('drop function billing.over_quota(jsonb, numeric, numeric)');
}
