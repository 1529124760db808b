import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { okSchema } from '../envelope';
import { Email, Plan } from './common';

/** Where Stripe sends the customer back: a web page, never javascript: or data: URLs. */
const ReturnUrl = z
  .string()
  .max(2048)
  .url('must be a URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');
export const CheckoutBody = z
  .strictObject({
    plan_id: z.string().min(1, 'is required').max(64),
    customer_email: Email,
    success_url: ReturnUrl,
    cancel_url: ReturnUrl,
  })
  .openapi('CheckoutRequest');
export const CheckoutCreated = okSchema(
  'CheckoutCreated',
  z.object({
    checkout_url: z.string().nullable(),
    session_id: z.string().nullable(),
    subscription_id: z.string().nullable(),
    delivery: z.enum(['redirect', 'email']).openapi({
      description:
        "redirect: open checkout_url (a token came along); email: the page went to the account's mailbox, if any",
    }),
  }),
);
export const CheckoutSuccessQuery = z.strictObject({ session_id: z.string().min(1, 'is required').max(255) });
export const CheckoutResult = okSchema(
  'CheckoutResult',
  z.object({ session_id: z.string(), subscription_id: z.string(), status: z.string() }),
);
const Subscription = z
  .object({
    id: z.string(),
    plan: Plan,
    status: z.string(),
    current_period_start: z.string(),
    current_period_end: z.string(),
    cancel_at_period_end: z.boolean(),
    canceled_at: z.string().nullable(),
    trial_end: z.string().nullable(),
    payment_method_id: z.string().nullable(),
  })
  .openapi('Subscription');
export const SubscriptionAnswer = okSchema('SubscriptionAnswer', Subscription);
export const CancelBody = z
  .strictObject({
    reason: z.string().trim().max(500).optional(),
    cancel_immediately: z.boolean().default(false),
  })
  .openapi('CancelRequest');
export const Canceled = okSchema(
  'Canceled',
  z.object({ canceled_at: z.string().nullable(), cancel_at_period_end: z.boolean() }),
);
export const Reactivated = okSchema(
  'Reactivated',
  z.object({ status: z.string(), cancel_at_period_end: z.boolean() }),
);
export const UpgradeBody = z
  .strictObject({ new_plan_id: z.string().min(1, 'is required').max(64), prorate: z.boolean().default(true) })
  .openapi('UpgradeRequest');
export const Upgraded = okSchema(
  'Upgraded',
  z.object({ subscription: Subscription, invoice: z.unknown().nullable(), credit_cents: z.number() }),
);
export const PaymentMethodBody = z
  .strictObject({
    payment_method_id: z.string().regex(/^pm_[A-Za-z0-9_]{3,}$/, 'must be a Stripe payment method id (pm_…)'),
  })
  .openapi('PaymentMethodRequest');
export const OverrideBody = z
  .strictObject({
    plan_id: z.string().min(1).max(64).optional(),
    status: z.enum(['active', 'trialing', 'past_due']).optional(),
    extend_trial: z.number().int().min(1).max(365).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give plan_id, status or extend_trial')
  .openapi('SubscriptionOverrideRequest');
export const Overridden = okSchema('Overridden', z.object({ subscription: Subscription }));

export { Message, CustomerIdParams } from './common';
