import type { Knex } from 'knex';
import { Conflict, NotFound } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { writeAudit } from '../../http/audit';
import { METERED_STATUSES, planTerms } from '../../../activities/billing/terms';
import type { BillingCaller } from './auth';
import type { PlanRow } from '../../../types/billing';

export type { PlanRow };
export interface PlanInput {
  name: string;
  description?: string | null;
  price_cents: number;
  currency: string;
  period_days: number;
  quota_tokens: number;
  quota_requests: number;
  soft_limit: boolean;
  overage_cents_per_1k_tokens: number;
  overage_cents_per_request: number;
  features: Record<string, unknown>;
  is_active: boolean;
}

export const planView = (p: PlanRow) => {
  const { plan_id: id, ...terms } = planTerms(p);
  return {
    id,
    name: p.name,
    description: p.description ?? null,
    ...terms,
    features: p.features,
    is_active: p.is_active,
    created_at: new Date(p.created_at).toISOString(),
    updated_at: new Date(p.updated_at).toISOString(),
  };
};

const nameClash = (err: unknown) => {
  throw (err as { constraint?: string }).constraint === 'plans_name_unique'
    ? new Conflict('name: a plan with this name exists', 'name')
    : err;
};

/**
 * Plans. A change of price or quota applies to subscriptions from their next period (each
 * period keeps the terms it started with); the answer counts the subscriptions it will reach.
 */
export function createPlanService(deps: { db: Knex }) {
  const { db } = deps;
  return {
    async list(q: { active?: boolean; includeInactive: boolean }) {
      const rows = await db('billing.plans')
        .modify((b) => {
          if (!q.includeInactive || q.active) b.where({ is_active: true });
          else if (q.active === false) b.where({ is_active: false });
        })
        .orderBy(['price_cents', 'name']);
      return rows.map(planView);
    },

    async get(id: string, includeInactive = false) {
      const row = await db('billing.plans')
        .where({ id })
        .modify((b) => includeInactive || b.where({ is_active: true }))
        .first();
      if (!row) throw new NotFound(`plan ${id}`);
      return planView(row);
    },

    async create(caller: BillingCaller, input: PlanInput, ip: string) {
      const [row] = await db('billing.plans')
        .insert({ id: newId('plan'), ...input, features: JSON.stringify(input.features) })
        .returning('*')
        .catch(nameClash);
      await writeAudit(db, 'billing', {
        actor: caller.customer.email,
        action: 'plan.create',
        target: `plan:${row.id}`,
        ip,
        outcome: 'success',
      });
      return planView(row);
    },

    async update(caller: BillingCaller, id: string, input: Partial<PlanInput>, ip: string) {
      return db.transaction(async (trx) => {
        const before = await trx('billing.plans').where({ id }).forUpdate().first();
        if (!before) throw new NotFound(`plan ${id}`);
        const [row] = await trx('billing.plans')
          .where({ id })
          .update({
            ...input,
            ...(input.features && { features: JSON.stringify(input.features) }),
            updated_at: trx.fn.now(),
          })
          .returning('*')
          .catch(nameClash);
        const [{ n }] = await trx('billing.subscriptions')
          .where({ plan_id: id })
          .whereIn('status', METERED_STATUSES)
          .count('* as n');
        await writeAudit(trx, 'billing', {
          actor: caller.customer.email,
          action: 'plan.update',
          target: `plan:${id}`,
          ip,
          outcome: 'success',
          detail: { fields: Object.keys(input) },
        });
        return { plan: planView(row), affected_subscriptions: Number(n) };
      });
    },
  };
}
export type PlanService = ReturnType<typeof createPlanService>;
