import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import { creditBalance, METERED_STATUSES } from '../../../activities/billing/terms';
import { writeAudit } from '../../http/audit';
import { customerView, type BillingCaller, type CustomerRow } from './auth';

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Customers seen by themselves (profile) and by admins (list, detail, credits, usage across
 * everyone). Deleting an account is a soft delete: the row stays for invoices and audit, its
 * keys stop working, its live subscription is canceled (by its workflow, which invoices nothing more).
 */
export function createCustomerService(deps: {
  db: Knex;
  cancelSubscription: (customerId: string) => Promise<void>;
  forgetKeys: () => void;
}) {
  const { db } = deps;
  const audit = (
    trx: Knex,
    caller: BillingCaller,
    action: string,
    target: string,
    ip: string,
    detail?: Record<string, unknown>,
  ) =>
    writeAudit(trx, 'billing', {
      actor: caller.customer.email,
      action,
      target,
      ip,
      outcome: 'success',
      detail,
    });

  return {
    profile: (caller: BillingCaller) => customerView(caller.customer),

    async updateProfile(
      caller: BillingCaller,
      input: { name?: string; company?: string | null },
      ip: string,
    ) {
      const [row] = await db('billing.customers')
        .where({ id: caller.customer.id })
        .update({ ...input, updated_at: db.fn.now() })
        .returning('*');
      await audit(db, caller, 'profile.update', `customer:${row.id}`, ip);
      return customerView(row);
    },

    async deleteAccount(caller: BillingCaller, ip: string) {
      await deps.cancelSubscription(caller.customer.id);
      await db.transaction(async (trx) => {
        const id = caller.customer.id;
        await trx('billing.subscriptions')
          .where({ customer_id: id })
          .whereIn('status', METERED_STATUSES)
          .update({
            status: 'canceled',
            canceled_at: trx.fn.now(),
            cancel_reason: 'account deleted',
            updated_at: trx.fn.now(),
          });
        await trx('billing.api_keys')
          .where({ customer_id: id })
          .whereNull('revoked_at')
          .update({ revoked_at: trx.fn.now() });
        await trx('billing.customers')
          .where({ id })
          .update({ deleted_at: trx.fn.now(), updated_at: trx.fn.now() });
        await audit(trx, caller, 'profile.delete', `customer:${id}`, ip);
      });
      deps.forgetKeys();
    },

    /** Customers (not admins), newest first; `status` is the account's or its subscription's. */
    async list(q: { search?: string; status?: string; limit: number; offset: number }) {
      const base = db('billing.customers as c')
        .leftJoin('billing.subscriptions as s', function live() {
          this.on('s.customer_id', 'c.id').andOnIn('s.status', METERED_STATUSES);
        })
        .where('c.role', 'customer')
        .modify((b) => {
          if (q.search)
            b.where((w) =>
              w
                .whereILike('c.email', like(q.search as string))
                .orWhereILike('c.name', like(q.search as string)),
            );
          if (q.status === 'deleted') b.whereNotNull('c.deleted_at');
          else if (q.status === 'active') b.whereNull('c.deleted_at');
          else if (q.status === 'none') b.whereNull('c.deleted_at').whereNull('s.id');
          else if (q.status) b.where('s.status', q.status);
        });
      const [rows, [{ n }]] = await Promise.all([
        base
          .clone()
          .select('c.*', 's.status as subscription_status', 's.plan_id')
          .orderBy('c.created_at', 'desc')
          .limit(q.limit)
          .offset(q.offset),
        base.clone().count('* as n'),
      ]);
      return {
        customers: rows.map(
          (r: CustomerRow & { subscription_status: string | null; plan_id: string | null }) => ({
            ...customerView(r),
            deleted_at: r.deleted_at ? new Date(r.deleted_at).toISOString() : null,
            subscription_status: r.subscription_status ?? null,
            plan_id: r.plan_id ?? null,
          }),
        ),
        total: Number(n),
        page: Math.floor(q.offset / q.limit) + 1,
      };
    },

    async detail(id: string) {
      const row = await db('billing.customers').where({ id }).first();
      if (!row) throw new NotFound(`customer ${id}`);
      const sub = await db('billing.subscriptions')
        .where({ customer_id: id })
        .orderBy('created_at', 'desc')
        .first();
      const counter = sub
        ? await db('billing.usage_counters')
            .where({ customer_id: id, period_start: sub.current_period_start })
            .first()
        : null;
      const [{ events, tokens, requests }] = await db('billing.usage_events')
        .where({ customer_id: id })
        .select(
          db.raw('count(*)::int events'),
          db.raw("coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0)::bigint tokens"),
          db.raw("coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0)::bigint requests"),
        );
      return {
        customer: {
          ...customerView(row),
          deleted_at: row.deleted_at ? new Date(row.deleted_at).toISOString() : null,
        },
        subscription: sub
          ? {
              id: sub.id,
              plan_id: sub.plan_id,
              status: sub.status,
              current_period_start: new Date(sub.current_period_start).toISOString(),
              current_period_end: new Date(sub.current_period_end).toISOString(),
              cancel_at_period_end: sub.cancel_at_period_end,
            }
          : null,
        usage_stats: {
          current_period: counter
            ? { tokens: Number(counter.tokens), requests: Number(counter.requests) }
            : null,
          all_time: { events, tokens: Number(tokens), requests: Number(requests) },
        },
        credit_balance_cents: await creditBalance(db, id),
      };
    },

    /** A grant on the credit ledger; the balance is what the next invoices draw from. */
    async credit(
      caller: BillingCaller,
      id: string,
      input: { amount_cents: number; reason: string },
      ip: string,
    ) {
      return db.transaction(async (trx) => {
        const row = await trx('billing.customers').where({ id }).forUpdate().first();
        if (!row) throw new NotFound(`customer ${id}`);
        await trx('billing.credits').insert({
          customer_id: id,
          amount_cents: input.amount_cents,
          reason: input.reason,
          actor: caller.customer.email,
        });
        await audit(trx, caller, 'customer.credit', `customer:${id}`, ip, {
          amount_cents: input.amount_cents,
          reason: input.reason,
        });
        return { credit_applied: input.amount_cents, new_balance: await creditBalance(trx, id) };
      });
    },

    /**
     * Revenue (paid invoices), live subscriptions now, and churn over the period: subscriptions
     * that ended in it over those that were live at any time in it.
     */
    async overview(q: { period: string }) {
      const days = { last_7_days: 7, last_30_days: 30, last_90_days: 90 }[q.period];
      const since = days
        ? db.raw('now() - make_interval(days => ?)', [days])
        : db.raw("'-infinity'::timestamptz");
      const [{ revenue }] = await db('billing.invoices')
        .where({ status: 'paid' })
        .where('paid_at', '>=', since)
        .select(db.raw('coalesce(sum(total_cents), 0)::bigint revenue'));
      const [{ live }] = await db('billing.subscriptions')
        .whereIn('status', METERED_STATUSES)
        .select(db.raw('count(*)::int live'));
      const [{ ended }] = await db('billing.subscriptions')
        .whereIn('status', ['canceled', 'unpaid'])
        .where('canceled_at', '>=', since)
        .select(db.raw('count(*)::int ended'));
      const base = Number(live) + Number(ended);
      return {
        period: q.period,
        total_revenue: Number(revenue),
        active_subscriptions: Number(live),
        canceled_subscriptions: Number(ended),
        churn_rate: base ? Number((Number(ended) / base).toFixed(4)) : 0,
      };
    },

    async usageAnalytics(q: { period: string }) {
      const days = { last_7_days: 7, last_30_days: 30, last_90_days: 90 }[q.period];
      const [r] = await db('billing.usage_events')
        .modify(
          (b) => days && b.where('occurred_at', '>=', db.raw('now() - make_interval(days => ?)', [days])),
        )
        .select(
          db.raw("coalesce(sum(quantity) filter (where event_type <> 'tokens_used'), 0)::bigint requests"),
          db.raw("coalesce(sum(quantity) filter (where event_type = 'tokens_used'), 0)::bigint tokens"),
          db.raw('count(distinct customer_id)::int customers'),
        );
      const customers = Number(r.customers);
      return {
        period: q.period,
        total_requests: Number(r.requests),
        total_tokens: Number(r.tokens),
        customers_with_usage: customers,
        avg_requests_per_customer: customers ? Math.round(Number(r.requests) / customers) : 0,
      };
    },
  };
}
export type CustomerService = ReturnType<typeof createCustomerService>;
