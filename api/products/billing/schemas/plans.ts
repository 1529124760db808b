import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumber } from '../../../http/whole-number';
import { okSchema } from '../envelope';
import { Id, Plan } from './common';

const planFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(2000).nullable(),
  price_cents: wholeNumber('integer', 'must be a whole number of cents').min(0),
  currency: z.string().regex(/^[a-z]{3}$/, 'must be a 3-letter lowercase ISO currency such as usd'),
  period_days: z.number().int().min(1).max(366),
  quota_tokens: wholeNumber('bigint').min(0),
  quota_requests: wholeNumber('bigint').min(0),
  soft_limit: z.boolean().openapi({
    description: 'true: usage may pass the quota and the overage is billed; false: it is refused (429)',
  }),
  overage_cents_per_1k_tokens: wholeNumber('integer').min(0),
  overage_cents_per_request: wholeNumber('integer').min(0),
  features: z.record(z.string(), z.unknown()),
  is_active: z.boolean(),
};
export const CreatePlanBody = z
  .strictObject({
    ...planFields,
    description: planFields.description.optional(),
    currency: planFields.currency.default('usd'),
    period_days: planFields.period_days.default(30),
    quota_requests: planFields.quota_requests.default(0),
    soft_limit: planFields.soft_limit.default(false),
    overage_cents_per_1k_tokens: planFields.overage_cents_per_1k_tokens.default(0),
    overage_cents_per_request: planFields.overage_cents_per_request.default(0),
    features: planFields.features.default({}),
    is_active: planFields.is_active.default(true),
  })
  .openapi('CreatePlanRequest');
export const UpdatePlanBody = z
  .strictObject(
    Object.fromEntries(Object.entries(planFields).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof typeof planFields]: z.ZodOptional<(typeof planFields)[K]>;
    },
  )
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .openapi('UpdatePlanRequest');
export const PlanIdParams = z.strictObject({ id: Id('plan') });
export const PlansQuery = z.strictObject({
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export const PlanList = okSchema('PlanList', z.array(Plan));
export const PlanAnswer = okSchema('PlanAnswer', Plan);
export const PlanUpdated = okSchema(
  'PlanUpdated',
  z.object({
    plan: Plan,
    affected_subscriptions: z.number().int().openapi({
      description: 'Live subscriptions on this plan: the change reaches them from their next period',
    }),
  }),
);
