import { WorkflowNotFoundError, WorkflowUpdateFailedError, type UpdateDefinition } from '@temporalio/client';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { Config } from '../../../core/config';
import { AppError, Conflict, Invalid, NotFound, TooManyRequests } from '../../../core/errors';
import type { Mailer } from './mailer';
import { newId } from '../../../core/ids';
import { CONTROL_QUEUE, type Temporal } from '../../../core/temporal';
import { dispatchStart, recordStart } from '../../../core/workflow-starts';
import {
  adminOverrideUpdate,
  cancelUpdate,
  changePlanUpdate,
  paymentMethodUpdate,
  reactivateUpdate,
} from '../../../workflows/billing/definitions';
import { writeAudit } from '../../http/audit';
import { createRateLimits } from '../../http/rate-limit';
import type { BillingCaller } from './auth';
import { LIVE_STATUSES, planTerms } from '../../../activities/billing/terms';
import { planView } from './plans';
import type { CustomerRow, PlanRow, SubscriptionInput, SubscriptionRow } from '../../../types/billing';

export const workflowIdOf = (subscriptionId: string) => `billing-subscription-${subscriptionId}`;
const SUPERSEDED = 'superseded by a newer checkout';
type CheckoutInput = { plan_id: string; customer_email: string; success_url: string; cancel_url: string };

/**
 * Checkout and subscription changes. The subscription's workflow owns its life; the API starts it
 * at checkout and sends it updates, answering from the row the workflow keeps current.
 */
export function createSubscriptionService(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  stripe: Stripe;
  mail: Mailer;
}) {
  const { db, config, temporal, stripe, mail } = deps;
  const limits = createRateLimits(db);
  // Without a token anyone may ask for an email's checkout: bound how often its owner is mailed (and
  // their unfinished checkout superseded), counted alike for emails with and without an account.
  const checkoutMails = {
    bucket: 'billing.checkout_mail',
    limit: config.BILLING_CHECKOUT_MAILS_PER_HOUR,
    windowSeconds: 3600,
  };

  const view = async (s: SubscriptionRow) => ({
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
    const s = await db('billing.subscriptions')
      .where({ customer_id: customerId })
      .whereIn('status', LIVE_STATUSES)
      .first();
    if (!s) throw new NotFound('active subscription');
    return s;
  }

  /** Sends an update to the subscription's workflow and waits for what it wrote. */
  async function update<R, A extends unknown[]>(
    s: SubscriptionRow,
    definition: UpdateDefinition<R, A>,
    args: A,
  ): Promise<R> {
    try {
      // Checked against the definition at each call; the SDK's overloads (no args / some) cannot take a generic A.
      const def = definition as unknown as UpdateDefinition<R, [unknown]>;
      return await temporal.call(
        (client) =>
          client.workflow
            .getHandle(workflowIdOf(s.id))
            .executeUpdate(def, { args: args as unknown as [unknown] }),
        {
          timeoutMs: temporal.updateTimeoutMs,
          consequence: 'the change may not have been applied; check the subscription, then try again',
        },
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new Conflict(`subscription ${s.id} is no longer running`);
      if (err instanceof WorkflowUpdateFailedError)
        throw new AppError('update_failed', 409, (err.cause as Error)?.message ?? err.message);
      throw err;
    }
  }

  /** Only return pages on the configured origins, when BILLING_CHECKOUT_RETURN_ORIGINS names some. */
  function checkReturnUrls(input: CheckoutInput) {
    const origins = config.BILLING_CHECKOUT_RETURN_ORIGINS;
    for (const field of ['success_url', 'cancel_url'] as const)
      if (origins && !origins.includes(new URL(input[field]).origin))
        throw new Invalid(`${field}: must be on ${origins.join(' or ')}`, field);
  }

  /**
   * An unfinished checkout gives way to a newer one: its Stripe page is expired (unless Stripe says
   * it was just completed: then the customer is subscribed and the newer one is refused) and its
   * subscription ends through its workflow, or here when none runs.
   */
  async function supersede(trx: Knex.Transaction, s: SubscriptionRow) {
    const session = s.checkout_session_id as string | null;
    if (session) {
      const state = await stripe.checkout.sessions.expire(session).then(
        () => 'expired',
        async () => (await stripe.checkout.sessions.retrieve(session)).status,
      );
      if (state === 'complete')
        throw new Conflict(
          'customer_email: a checkout of this customer was just completed',
          'customer_email',
        );
    }
    await update(s, cancelUpdate, [{ immediately: true, reason: SUPERSEDED }]).catch((err) => {
      if (!(err instanceof Conflict)) throw err; // no workflow runs it: the row is ended below
    });
    await trx('billing.subscriptions').where({ id: s.id, status: 'incomplete' }).update({
      status: 'canceled',
      canceled_at: trx.fn.now(),
      cancel_reason: SUPERSEDED,
      updated_at: trx.fn.now(),
    });
  }

  /**
   * The checkout itself, one at a time per customer (its row is locked until the new subscription
   * is written): a live subscription refuses it (409), an unfinished checkout is superseded.
   */
  async function openCheckout(
    customerId: string,
    plan: PlanRow,
    input: CheckoutInput,
    actor: string,
    ip: string,
  ) {
    const { id, session, start } = await db.transaction(async (trx) => {
      const customer = await trx('billing.customers').where({ id: customerId }).forNoKeyUpdate().first();
      const live = await trx('billing.subscriptions')
        .where({ customer_id: customerId })
        .whereIn('status', LIVE_STATUSES)
        .first();
      if (live && live.status !== 'incomplete')
        throw new Conflict(
          'customer_email: this customer already has a subscription; upgrade it instead',
          'customer_email',
        );
      if (live) await supersede(trx, live);
      let stripeCustomer = customer.stripe_customer_id as string | null;
      if (!stripeCustomer) {
        const meta = { dermaga_customer: customer.id };
        stripeCustomer = (
          await stripe.customers.create({ email: customer.email, name: customer.name, metadata: meta })
        ).id;
        await trx('billing.customers')
          .where({ id: customer.id })
          .update({ stripe_customer_id: stripeCustomer });
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
      await trx('billing.subscriptions').insert({
        id,
        customer_id: customer.id,
        plan_id: plan.id,
        status: 'incomplete',
        current_period_start: now,
        current_period_end: now,
        period_terms: JSON.stringify(planTerms(plan)),
        checkout_session_id: session.id,
      });
      const detail = { plan: plan.id, customer: customer.id, ...(live && { superseded: live.id }) };
      await writeAudit(trx, 'billing', {
        actor,
        action: 'checkout.create',
        target: `subscription:${id}`,
        ip,
        outcome: 'success',
        detail,
      });
      // The outbox: committed with the subscription, so its workflow starts even if this process dies first.
      const start = await recordStart(trx, workflowIdOf(id), {
        workflowType: 'subscriptionLifecycle',
        taskQueue: CONTROL_QUEUE,
        args: [lifecycle(id, plan.period_days)],
        searchAttributes: { product: 'billing', owner: customerId, resource: id },
      });
      return { id, session, start };
    });
    await dispatchStart(
      db,
      temporal,
      start,
      'subscription.lifecycle',
      `subscription ${id} is recorded (incomplete) and its checkout is followed once Temporal answers; its checkout page is ${session.url}`,
    );
    return { checkout_url: session.url, session_id: session.id, subscription_id: id };
  }

  /** Without a token the checkout page goes to the account's own mailbox, never to the caller. */
  async function mailCheckout(customer: CustomerRow, plan: PlanRow, input: CheckoutInput, ip: string) {
    const opened = await openCheckout(customer.id, plan, input, input.customer_email, ip).catch((err) => {
      if (err instanceof Conflict) return null;
      throw err;
    });
    await mail({
      to: customer.email,
      subject: `Subscribe to ${plan.name}`,
      text: opened
        ? `Someone asked to subscribe your account to ${plan.name}.\n\n` +
          `To do so, save your card on this page:\n${opened.checkout_url}\n\n` +
          'If it was not you, ignore this mail: nothing is charged without that card.\n'
        : `Someone asked to subscribe your account to ${plan.name}, but it already has a subscription; ` +
          'sign in to change its plan.\n',
    });
  }

  return {
    /**
     * A Stripe Checkout Session (setup mode: it saves the card the periods are charged to) and an
     * `incomplete` subscription whose workflow waits for `checkout.session.completed`. With the
     * customer's token the checkout is theirs and the answer carries its page (201). Without one the
     * page is mailed to the account of `customer_email`, and the answer (202) is the same whether
     * such an account exists, so it tells no one who has an account.
     */
    async createCheckout(input: CheckoutInput, ip: string, caller: BillingCaller | null) {
      const plan = await db('billing.plans').where({ id: input.plan_id, is_active: true }).first();
      if (!plan) throw new Invalid(`plan_id: no active plan ${input.plan_id}`, 'plan_id');
      checkReturnUrls(input);
      if (caller) {
        if (input.customer_email !== String(caller.customer.email).toLowerCase())
          throw new Invalid("customer_email: is not the signed-in account's email", 'customer_email');
        return {
          ...(await openCheckout(caller.customer.id, plan, input, caller.customer.email, ip)),
          delivery: 'redirect' as const,
        };
      }
      const reserved = await limits.reserve([{ limit: checkoutMails, key: input.customer_email }]);
      if (!reserved.ok)
        throw new TooManyRequests(
          `customer_email: too many checkouts asked for this email; try again in ${reserved.retryAfter} s`,
          reserved.retryAfter,
        );
      const customer = await db('billing.customers')
        .whereNull('deleted_at')
        .whereRaw('lower(email) = ?', [input.customer_email])
        .first();
      if (customer) await mailCheckout(customer, plan, input, ip);
      else
        await writeAudit(db, 'billing', {
          actor: input.customer_email,
          action: 'checkout.create',
          ip,
          outcome: 'failure',
          detail: { plan: plan.id, reason: 'no such account' },
        });
      return { checkout_url: null, session_id: null, subscription_id: null, delivery: 'email' as const };
    },

    /** Where checkout's success_url lands: the subscription the session made, as it stands. */
    async checkoutResult(sessionId: string) {
      const s = await db('billing.subscriptions').where({ checkout_session_id: sessionId }).first();
      if (!s) throw new NotFound(`checkout session ${sessionId}`);
      return { session_id: sessionId, subscription_id: s.id, status: s.status };
    },

    /** A deleted account's live subscription ends now, through its workflow when one runs. */
    async cancelForDeletion(customerId: string) {
      const s = await db('billing.subscriptions')
        .where({ customer_id: customerId })
        .whereIn('status', LIVE_STATUSES)
        .first();
      if (!s) return;
      await update(s, cancelUpdate, [{ immediately: true, reason: 'account deleted' }]).catch((err) => {
        if (!(err instanceof Conflict)) throw err; // no workflow runs it: the account's own cancel below sets the row
      });
    },

    async current(caller: BillingCaller) {
      return view(await live(caller.customer.id));
    },

    async cancel(caller: BillingCaller, body: { reason?: string; cancel_immediately: boolean }, ip: string) {
      const s = await live(caller.customer.id);
      const result = await update(s, cancelUpdate, [
        { immediately: body.cancel_immediately, reason: body.reason },
      ]);
      await writeAudit(db, 'billing', {
        actor: caller.customer.email,
        action: 'subscription.cancel',
        target: `subscription:${s.id}`,
        ip,
        outcome: 'success',
        detail: body,
      });
      return result;
    },

    /** Only before the period ends: after that the subscription is over and a new checkout starts another. */
    async reactivate(caller: BillingCaller, ip: string) {
      const s = await db('billing.subscriptions')
        .where({ customer_id: caller.customer.id })
        .orderBy('created_at', 'desc')
        .first();
      if (!s || !LIVE_STATUSES.includes(s.status))
        throw new Conflict('the subscription has ended; start a new one with checkout');
      if (!s.cancel_at_period_end) throw new Conflict('the subscription is not set to cancel');
      const result = await update(s, reactivateUpdate, []);
      await writeAudit(db, 'billing', {
        actor: caller.customer.email,
        action: 'subscription.reactivate',
        target: `subscription:${s.id}`,
        ip,
        outcome: 'success',
      });
      return {
        status: (await db('billing.subscriptions').where({ id: s.id }).first('status')).status,
        cancel_at_period_end: result.cancel_at_period_end,
      };
    },

    async changePlan(caller: BillingCaller, body: { new_plan_id: string; prorate: boolean }, ip: string) {
      const s = await live(caller.customer.id);
      if (s.status === 'incomplete') throw new Conflict('checkout is not complete yet');
      if (!(await db('billing.plans').where({ id: body.new_plan_id, is_active: true }).first()))
        throw new Invalid(`new_plan_id: no active plan ${body.new_plan_id}`, 'new_plan_id');
      if (s.plan_id === body.new_plan_id)
        throw new Conflict('new_plan_id: the subscription is already on this plan', 'new_plan_id');
      const result = await update(s, changePlanUpdate, [{ planId: body.new_plan_id, prorate: body.prorate }]);
      await writeAudit(db, 'billing', {
        actor: caller.customer.email,
        action: 'subscription.change_plan',
        target: `subscription:${s.id}`,
        ip,
        outcome: 'success',
        detail: body,
      });
      const invoice = result.invoiceId
        ? await db('billing.invoices').where({ id: result.invoiceId }).first()
        : null;
      return {
        subscription: await view(await db('billing.subscriptions').where({ id: s.id }).first()),
        invoice: invoice
          ? {
              id: invoice.id,
              invoice_number: invoice.number,
              total_cents: invoice.total_cents,
              status: invoice.status,
              line_items: invoice.line_items,
            }
          : null,
        credit_cents: result.creditCents,
      };
    },

    async setPaymentMethod(caller: BillingCaller, paymentMethodId: string, ip: string) {
      const s = await live(caller.customer.id);
      await update(s, paymentMethodUpdate, [{ paymentMethodId }]);
      await writeAudit(db, 'billing', {
        actor: caller.customer.email,
        action: 'subscription.payment_method',
        target: `subscription:${s.id}`,
        ip,
        outcome: 'success',
      });
    },

    async adminOverride(
      caller: BillingCaller,
      customerId: string,
      body: { plan_id?: string; status?: 'active' | 'trialing' | 'past_due'; extend_trial?: number },
      ip: string,
    ) {
      const s = await db('billing.subscriptions')
        .where({ customer_id: customerId })
        .whereIn('status', LIVE_STATUSES)
        .first();
      if (!s) throw new NotFound(`a live subscription of customer ${customerId}`);
      if (body.plan_id && !(await db('billing.plans').where({ id: body.plan_id }).first()))
        throw new Invalid(`plan_id: no plan ${body.plan_id}`, 'plan_id');
      await update(s, adminOverrideUpdate, [
        { planId: body.plan_id, status: body.status, extendTrialDays: body.extend_trial },
      ]);
      await writeAudit(db, 'billing', {
        actor: caller.customer.email,
        action: 'subscription.override',
        target: `subscription:${s.id}`,
        ip,
        outcome: 'success',
        detail: body,
      });
      return { subscription: await view(await db('billing.subscriptions').where({ id: s.id }).first()) };
    },
  };
}
export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
