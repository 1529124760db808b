import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { Config } from '../../../core/config';
import { AppError, Conflict, Invalid, NotFound, Unavailable } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { CONTROL_QUEUE, type Temporal } from '../../../core/temporal';
import type { SubscriptionInput } from '../../../workflows/billing/subscription';
import { writeAudit } from '../../http/audit';
import type { BillingCaller } from './auth';
import { LIVE_STATUSES, planTerms } from '../../../activities/billing/terms';
import { planView } from './plans';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a billing.subscriptions row
type Row = any;
export const workflowIdOf = (subscriptionId: string) => `billing-subscription-${subscriptionId}`;

/**
 * Checkout and subscription changes. The subscription's workflow owns its life; the API starts it
 * at checkout and sends it updates, answering from the row the workflow keeps current.
 */
export function createSubscriptionService(deps: { db: Knex; config: Config; temporal: Temporal; stripe: Stripe }) {
  const { db, config, temporal, stripe } = deps;

  const view = async (s: Row) => ({
    id: s.id,
    plan: planView(await db('billing.plans').where({ id: s.plan_id }).first()),
    status: s.status,
    current_period_start: new Date(s.current_period_start).toISOString(),
    current_period_end: new Date(s.current_period_end).toISOString(),
    cancel_at_period_end: s.cancel_at_period_end,
    canceled_at: s.canceled_at ? new Date(s.canceled_at).toISOString() : null,
    trial_end: s.trial_end ? new Date(s.trial_end).toISOString() : null,
    payment_method_id: s.payment_method_id ?? null,
  });

  const lifecycle = (subscriptionId: string, periodDays: number): SubscriptionInput => ({
    subscriptionId,
    periodMs: (config.BILLING_PERIOD_SECONDS ?? periodDays * 86400) * 1000,
    dunningMs: config.BILLING_DUNNING_SCHEDULE.map((sec) => sec * 1000),
    afterDunning: config.BILLING_AFTER_DUNNING,
    paymentWaitMs: config.BILLING_PAYMENT_WAIT_SECONDS * 1000,
    checkoutTimeoutMs: config.BILLING_CHECKOUT_TIMEOUT_SECONDS * 1000,
  });

  async function live(customerId: string) {
    const s = await db('billing.subscriptions').where({ customer_id: customerId }).whereIn('status', LIVE_STATUSES).first();
    if (!s) throw new NotFound('active subscription');
    return s;
  }

  /** Sends an update to the subscription's workflow and waits for what it wrote. */
  async function update<R>(s: Row, name: string, args: unknown[]): Promise<R> {
    const client = await temporal.client().catch(() => {
      throw new Unavailable('the workflow engine is unavailable; try again shortly');
    });
    try {
      return (await client.workflow.getHandle(workflowIdOf(s.id)).executeUpdate(name, { args: args as [] })) as R;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new Conflict(`subscription ${s.id} is no longer running`);
      if (err instanceof WorkflowUpdateFailedError) throw new AppError('update_failed', 409, (err.cause as Error)?.message ?? err.message);
      throw err;
    }
  }

  return {
    /**
     * A Stripe Checkout Session (setup mode: it saves the card the periods are charged to) and an
     * `incomplete` subscription whose workflow waits for `checkout.session.completed`.
     */
    async createCheckout(input: { plan_id: string; customer_email: string; success_url: string; cancel_url: string }, ip: string) {
      const plan = await db('billing.plans').where({ id: input.plan_id, is_active: true }).first();
      if (!plan) throw new Invalid(`plan_id: no active plan ${input.plan_id}`, 'plan_id');
      const customer = await db('billing.customers').whereNull('deleted_at').whereRaw('lower(email) = ?', [input.customer_email]).first();
      if (!customer) throw new NotFound(`customer ${input.customer_email} (register first)`);
      if (await db('billing.subscriptions').where({ customer_id: customer.id }).whereIn('status', LIVE_STATUSES).first())
        throw new Conflict('customer_email: this customer already has a subscription; upgrade it instead', 'customer_email');
      let stripeCustomer = customer.stripe_customer_id as string | null;
      if (!stripeCustomer) {
        stripeCustomer = (await stripe.customers.create({ email: customer.email, name: customer.name, metadata: { dermaga_customer: customer.id } })).id;
        await db('billing.customers').where({ id: customer.id }).update({ stripe_customer_id: stripeCustomer });
      }
      const id = newId('sub');
      const session = await stripe.checkout.sessions.create({
        mode: 'setup',
        currency: plan.currency,
        customer: stripeCustomer,
        success_url: input.success_url,
        cancel_url: input.cancel_url,
        metadata: { subscription_id: id, plan_id: plan.id },
      });
      const now = new Date();
      await db.transaction(async (trx) => {
        await trx('billing.subscriptions').insert({
          id, customer_id: customer.id, plan_id: plan.id, status: 'incomplete', current_period_start: now, current_period_end: now,
          period_terms: JSON.stringify(planTerms(plan)), checkout_session_id: session.id,
        });
        await writeAudit(trx, 'billing', { actor: customer.email, action: 'checkout.create', target: `subscription:${id}`, ip, outcome: 'success', detail: { plan: plan.id } });
      });
      const client = await temporal.client();
      await client.workflow.start('subscriptionLifecycle', { workflowId: workflowIdOf(id), taskQueue: CONTROL_QUEUE, args: [lifecycle(id, plan.period_days)] });
      return { checkout_url: session.url, session_id: session.id, subscription_id: id };
    },

    /** Where checkout's success_url lands: the subscription the session made, as it stands. */
    async checkoutResult(sessionId: string) {
      const s = await db('billing.subscriptions').where({ checkout_session_id: sessionId }).first();
      if (!s) throw new NotFound(`checkout session ${sessionId}`);
      return { session_id: sessionId, subscription_id: s.id, status: s.status };
    },

    /** A deleted account's live subscription ends now, through its workflow when one runs. */
    async cancelForDeletion(customerId: string) {
      const s = await db('billing.subscriptions').where({ customer_id: customerId }).whereIn('status', LIVE_STATUSES).first();
      if (!s) return;
      await update(s, 'cancel', [{ immediately: true, reason: 'account deleted' }]).catch((err) => {
        if (!(err instanceof Conflict)) throw err; // no workflow runs it: the account's own cancel below sets the row
      });
    },

    async current(caller: BillingCaller) {
      return view(await live(caller.customer.id));
    },

    async cancel(caller: BillingCaller, body: { reason?: string; cancel_immediately: boolean }, ip: string) {
      const s = await live(caller.customer.id);
      const result = await update<{ canceled_at: string | null; cancel_at_period_end: boolean }>(s, 'cancel', [{ immediately: body.cancel_immediately, reason: body.reason }]);
      await writeAudit(db, 'billing', { actor: caller.customer.email, action: 'subscription.cancel', target: `subscription:${s.id}`, ip, outcome: 'success', detail: body });
      return result;
    },

    /** Only before the period ends: after that the subscription is over and a new checkout starts another. */
    async reactivate(caller: BillingCaller, ip: string) {
      const s = await db('billing.subscriptions').where({ customer_id: caller.customer.id }).orderBy('created_at', 'desc').first();
      if (!s || !LIVE_STATUSES.includes(s.status)) throw new Conflict('the subscription has ended; start a new one with checkout');
      if (!s.cancel_at_period_end) throw new Conflict('the subscription is not set to cancel');
      const result = await update<{ cancel_at_period_end: boolean }>(s, 'reactivate', []);
      await writeAudit(db, 'billing', { actor: caller.customer.email, action: 'subscription.reactivate', target: `subscription:${s.id}`, ip, outcome: 'success' });
      return { status: (await db('billing.subscriptions').where({ id: s.id }).first('status')).status, cancel_at_period_end: result.cancel_at_period_end };
    },

    async changePlan(caller: BillingCaller, body: { new_plan_id: string; prorate: boolean }, ip: string) {
      const s = await live(caller.customer.id);
      if (s.status === 'incomplete') throw new Conflict('checkout is not complete yet');
      if (!(await db('billing.plans').where({ id: body.new_plan_id, is_active: true }).first())) throw new Invalid(`new_plan_id: no active plan ${body.new_plan_id}`, 'new_plan_id');
      if (s.plan_id === body.new_plan_id) throw new Conflict('new_plan_id: the subscription is already on this plan', 'new_plan_id');
      const result = await update<{ invoiceId: string | null; creditCents: number }>(s, 'changePlan', [{ planId: body.new_plan_id, prorate: body.prorate }]);
      await writeAudit(db, 'billing', { actor: caller.customer.email, action: 'subscription.change_plan', target: `subscription:${s.id}`, ip, outcome: 'success', detail: body });
      const invoice = result.invoiceId ? await db('billing.invoices').where({ id: result.invoiceId }).first() : null;
      return {
        subscription: await view(await db('billing.subscriptions').where({ id: s.id }).first()),
        invoice: invoice ? { id: invoice.id, invoice_number: invoice.number, total_cents: invoice.total_cents, status: invoice.status, line_items: invoice.line_items } : null,
        credit_cents: result.creditCents,
      };
    },

    async setPaymentMethod(caller: BillingCaller, paymentMethodId: string, ip: string) {
      const s = await live(caller.customer.id);
      await update<void>(s, 'paymentMethod', [{ paymentMethodId }]);
      await writeAudit(db, 'billing', { actor: caller.customer.email, action: 'subscription.payment_method', target: `subscription:${s.id}`, ip, outcome: 'success' });
    },

    async adminOverride(caller: BillingCaller, customerId: string, body: { plan_id?: string; status?: 'active' | 'trialing' | 'past_due'; extend_trial?: number }, ip: string) {
      const s = await db('billing.subscriptions').where({ customer_id: customerId }).whereIn('status', LIVE_STATUSES).first();
      if (!s) throw new NotFound(`a live subscription of customer ${customerId}`);
      if (body.plan_id && !(await db('billing.plans').where({ id: body.plan_id }).first())) throw new Invalid(`plan_id: no plan ${body.plan_id}`, 'plan_id');
      await update(s, 'adminOverride', [{ planId: body.plan_id, status: body.status, extendTrialDays: body.extend_trial }]);
      await writeAudit(db, 'billing', { actor: caller.customer.email, action: 'subscription.override', target: `subscription:${s.id}`, ip, outcome: 'success', detail: body });
      return { subscription: await view(await db('billing.subscriptions').where({ id: s.id }).first()) };
    },
  };
}
export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
