import { z } from 'zod';
import '../../http/route';
import { wholeNumber, wholeNumberParam } from '../../http/whole-number';
import { SCOPES } from './api-keys';
import { okSchema } from './envelope';
import { EVENT_TYPES } from './usage';

const Email = z.string().trim().toLowerCase().max(254).email('must be a valid email address').openapi({ example: 'john@example.com' });
const Password = z.string().min(1, 'is required').max(256).openapi({ description: '12+ characters mixing three of lowercase, uppercase, digits, symbols' });
const Id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[a-z0-9]{10,40}$`), `must be a ${prefix}_ id`);

export const RegisterBody = z.strictObject({ name: z.string().trim().min(1, 'is required').max(100), email: Email, password: Password }).openapi('RegisterRequest');
export const LoginBody = z.strictObject({ email: Email, password: z.string().min(1, 'is required').max(256) }).openapi('LoginRequest');
export const ForgotBody = z.strictObject({ email: Email }).openapi('ForgotPasswordRequest');
export const ResetBody = z.strictObject({ token: z.string().min(1, 'is required').max(200), new_password: Password }).openapi('ResetPasswordRequest');
export const ProfileBody = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), company: z.string().trim().max(200).nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'give name or company')
  .openapi('UpdateProfileRequest');

export const Registered = okSchema('Registered', z.object({ id: z.string(), email: z.string(), created_at: z.string() }));
export const LoggedIn = okSchema('LoggedIn', z.object({ token: z.string().openapi({ description: 'JWT (HS256): Authorization: Bearer …' }), expires_at: z.string() }));
export const Message = okSchema('Message', z.string());
const Customer = z.object({ id: z.string(), name: z.string(), email: z.string(), company: z.string().nullable(), role: z.enum(['customer', 'admin']), created_at: z.string() }).openapi('Customer');
export const Profile = okSchema('Profile', Customer);

const planFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(2000).nullable(),
  price_cents: wholeNumber('integer', 'must be a whole number of cents').min(0),
  currency: z.string().regex(/^[a-z]{3}$/, 'must be a 3-letter lowercase ISO currency such as usd'),
  period_days: z.number().int().min(1).max(366),
  quota_tokens: wholeNumber('bigint').min(0),
  quota_requests: wholeNumber('bigint').min(0),
  soft_limit: z.boolean().openapi({ description: 'true: usage may pass the quota and the overage is billed; false: it is refused (429)' }),
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
  .strictObject(Object.fromEntries(Object.entries(planFields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof planFields]: z.ZodOptional<(typeof planFields)[K]> })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .openapi('UpdatePlanRequest');
export const PlanIdParams = z.strictObject({ id: Id('plan') });
export const PlansQuery = z.strictObject({ active: z.enum(['true', 'false']).transform((v) => v === 'true').optional() });
const Plan = z
  .object({
    id: z.string(), name: z.string(), description: z.string().nullable(), price_cents: z.number(), currency: z.string(), period_days: z.number(),
    quota_tokens: z.number(), quota_requests: z.number(), soft_limit: z.boolean(), overage_cents_per_1k_tokens: z.number(), overage_cents_per_request: z.number(),
    features: z.record(z.string(), z.unknown()), is_active: z.boolean(), created_at: z.string(), updated_at: z.string(),
  })
  .openapi('Plan');
export const PlanList = okSchema('PlanList', z.array(Plan));
export const PlanAnswer = okSchema('PlanAnswer', Plan);
export const PlanUpdated = okSchema('PlanUpdated', z.object({ plan: Plan, affected_subscriptions: z.number().int().openapi({ description: 'Live subscriptions on this plan: the change reaches them from their next period' }) }));

const Scopes = z.array(z.enum(SCOPES, { error: () => `must be one of: ${SCOPES.join(', ')}` })).min(1, 'give at least one scope').max(SCOPES.length);
export const CreateKeyBody = z.strictObject({ name: z.string().trim().min(1, 'is required').max(100), scopes: Scopes.default([...SCOPES]) }).openapi('CreateApiKeyRequest');
export const UpdateKeyBody = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), scopes: Scopes.optional() })
  .refine((b) => Object.keys(b).length > 0, 'give name or scopes')
  .openapi('UpdateApiKeyRequest');
export const KeyIdParams = z.strictObject({ id: Id('key') });
const ApiKey = z.object({ id: z.string(), name: z.string(), prefix: z.string(), scopes: z.array(z.enum(SCOPES)), created_at: z.string() }).openapi('ApiKey');
export const KeyList = okSchema('ApiKeyList', z.array(ApiKey));
export const KeyAnswer = okSchema('ApiKeyAnswer', ApiKey);
export const KeyCreated = okSchema('ApiKeyCreated', ApiKey.extend({ key: z.string().openapi({ description: 'Shown this once' }) }));
export const KeyRotated = okSchema('ApiKeyRotated', z.object({ id: z.string(), key: z.string().openapi({ description: 'Shown this once' }), prefix: z.string(), rotated_at: z.string() }));

/** Metadata is a few labels (model, region): bounded so one event cannot be a document Postgres refuses. */
const METADATA_MAX_DEPTH = 8;
const METADATA_MAX_BYTES = 16 * 1024;
/** True when `v` nests deeper than `levels` (an object or array is one level); stops there. */
const nestsBeyond = (v: unknown, levels: number): boolean =>
  v !== null &&
  typeof v === 'object' &&
  (levels === 0 || Object.values(v).some((x) => nestsBeyond(x, levels - 1)));
function boundedMetadata(m: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (nestsBeyond(m, METADATA_MAX_DEPTH))
    ctx.addIssue({ code: 'custom', message: `must not nest deeper than ${METADATA_MAX_DEPTH} levels` });
  else if (Buffer.byteLength(JSON.stringify(m)) > METADATA_MAX_BYTES)
    ctx.addIssue({ code: 'custom', message: `must be at most ${METADATA_MAX_BYTES} bytes as JSON` });
}

/**
 * NOTE: a late event (a client that buffered its reports) is still usage, but not one from another
 * era: like Stripe's meter events, an instant may lie up to 35 days back and 5 minutes ahead (clock
 * skew). Real UTC offsets run from -12:00 to +14:00 (Postgres refuses beyond ±15:59).
 */
const EVENT_PAST_DAYS = 35;
const EVENT_AHEAD_MINUTES = 5;
const EVENT_WINDOW =
  `within the last ${EVENT_PAST_DAYS} days and ${EVENT_AHEAD_MINUTES} minutes ahead at most`;
function plausibleInstant(iso: string, ctx: z.RefinementCtx) {
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  const minutes = offset ? Number(offset[2]) * 60 + Number(offset[3]) : 0;
  if (offset && minutes > (offset[1] === '+' ? 14 * 60 : 12 * 60)) {
    ctx.addIssue({ code: 'custom', message: 'UTC offset must be between -12:00 and +14:00' });
    return;
  }
  const at = Date.parse(iso);
  if (at < Date.now() - EVENT_PAST_DAYS * 86_400_000 || at > Date.now() + EVENT_AHEAD_MINUTES * 60_000)
    ctx.addIssue({ code: 'custom', message: `must be ${EVENT_WINDOW}` });
}

export const UsageEventBody = z
  .strictObject({
    event_type: z.enum(EVENT_TYPES, { error: () => `must be one of: ${EVENT_TYPES.join(', ')}` }).openapi({ description: 'tokens_used adds to tokens, api_call to requests' }),
    quantity: z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive').max(1e12),
    event_id: z.string().min(1).max(128).optional().openapi({ description: 'Idempotency key: an event with one already counted is not counted again' }),
    endpoint: z.string().max(512).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .superRefine(boundedMetadata)
      .optional()
      .openapi({
        description: `At most ${METADATA_MAX_DEPTH} levels deep and ${METADATA_MAX_BYTES} bytes as JSON`,
      }),
    timestamp: z
      .string()
      .datetime({ offset: true, message: 'must be an ISO-8601 instant' })
      .superRefine(plausibleInstant)
      .optional()
      .openapi({ description: `When it happened: UTC offset -12:00..+14:00, ${EVENT_WINDOW}` }),
  })
  .openapi('UsageEvent');
export const BatchBody = z.strictObject({ events: z.array(z.unknown()).min(1, 'give at least one event') }).openapi('BatchUsageRequest');
const Remaining = z.object({ tokens: z.number(), requests: z.number() });
export const Reported = okSchema('UsageReported', z.object({ recorded_at: z.string(), duplicate: z.boolean(), remaining_quota: Remaining }));
export const BatchReported = okSchema(
  'BatchUsageReported',
  z.object({
    processed_count: z.number().int(), duplicate_count: z.number().int(), failed_count: z.number().int(),
    failed: z.array(z.object({ index: z.number().int(), reason: z.string() })), remaining_quota: Remaining,
  }),
);
export const QuotaQuery = z.strictObject({
  tokens_needed: wholeNumberParam('bigint', 'must be a whole number').min(0).default(0),
  requests_needed: wholeNumberParam('bigint', 'must be a whole number').min(0).default(1),
});
export const QuotaAnswer = okSchema('QuotaCheck', z.object({ allowed: z.boolean(), remaining: Remaining, overage: z.boolean().optional() }));
export const UsageQuery = z.strictObject({ period: z.literal('current_month').or(z.literal('current_period')).optional(), group_by: z.enum(['day', 'hour']).optional() });
export const HistoryQuery = z
  .strictObject({ start_date: z.string().date('must be a date (YYYY-MM-DD)'), end_date: z.string().date('must be a date (YYYY-MM-DD)'), granularity: z.enum(['daily', 'hourly']).default('daily') })
  .refine((q) => q.start_date <= q.end_date, { path: ['end_date'], message: 'must not be before start_date' });
export const UsageAnswer = okSchema('Usage', z.object({ tokens_used: z.number(), requests_made: z.number(), quota: Remaining }).passthrough());
export const HistoryAnswer = okSchema('UsageHistory', z.array(z.object({ date: z.string().optional(), hour: z.string().optional(), tokens_used: z.number(), requests_made: z.number() })));
export const LimitsAnswer = okSchema('UsageLimits', z.object({ plan: z.string().nullable(), limits: z.object({ tokens_monthly: z.number(), requests_monthly: z.number() }) }).passthrough());

export const CustomerIdParams = z.strictObject({ id: Id('cus') });
export const CustomersQuery = z.strictObject({
  search: z.string().trim().max(254).optional(),
  status: z.enum(['active', 'deleted', 'trialing', 'past_due', 'canceled', 'none']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
export const CreditBody = z
  .strictObject({ amount_cents: wholeNumber('integer', 'must be a whole number of cents').positive('must be positive'), reason: z.string().trim().min(1, 'is required').max(500) })
  .openapi('CreditRequest');
export const CreditAnswer = okSchema('CreditApplied', z.object({ credit_applied: z.number(), new_balance: z.number() }));
export const CustomerList = okSchema('CustomerList', z.object({ customers: z.array(z.unknown()), total: z.number().int(), page: z.number().int() }));
export const CustomerDetail = okSchema('CustomerDetail', z.object({ customer: Customer, subscription: z.unknown().nullable(), usage_stats: z.unknown(), credit_balance_cents: z.number() }));
export const UsageAnalytics = okSchema('UsageAnalytics', z.object({ total_requests: z.number(), total_tokens: z.number(), customers_with_usage: z.number(), avg_requests_per_customer: z.number() }));
export const AnalyticsQuery = z.strictObject({ period: z.enum(['last_7_days', 'last_30_days', 'last_90_days', 'all_time']).default('last_30_days') });

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
      description: "redirect: open checkout_url (a token came along); email: the page went to the account's mailbox, if any",
    }),
  }),
);
export const CheckoutSuccessQuery = z.strictObject({ session_id: z.string().min(1, 'is required').max(255) });
export const CheckoutResult = okSchema('CheckoutResult', z.object({ session_id: z.string(), subscription_id: z.string(), status: z.string() }));
const Subscription = z
  .object({
    id: z.string(), plan: Plan, status: z.string(), current_period_start: z.string(), current_period_end: z.string(), cancel_at_period_end: z.boolean(),
    canceled_at: z.string().nullable(), trial_end: z.string().nullable(), payment_method_id: z.string().nullable(),
  })
  .openapi('Subscription');
export const SubscriptionAnswer = okSchema('SubscriptionAnswer', Subscription);
export const CancelBody = z.strictObject({ reason: z.string().trim().max(500).optional(), cancel_immediately: z.boolean().default(false) }).openapi('CancelRequest');
export const Canceled = okSchema('Canceled', z.object({ canceled_at: z.string().nullable(), cancel_at_period_end: z.boolean() }));
export const Reactivated = okSchema('Reactivated', z.object({ status: z.string(), cancel_at_period_end: z.boolean() }));
export const UpgradeBody = z.strictObject({ new_plan_id: z.string().min(1, 'is required').max(64), prorate: z.boolean().default(true) }).openapi('UpgradeRequest');
export const Upgraded = okSchema('Upgraded', z.object({ subscription: Subscription, invoice: z.unknown().nullable(), credit_cents: z.number() }));
export const PaymentMethodBody = z.strictObject({ payment_method_id: z.string().regex(/^pm_[A-Za-z0-9_]{3,}$/, 'must be a Stripe payment method id (pm_…)') }).openapi('PaymentMethodRequest');
export const OverrideBody = z
  .strictObject({ plan_id: z.string().min(1).max(64).optional(), status: z.enum(['active', 'trialing', 'past_due']).optional(), extend_trial: z.number().int().min(1).max(365).optional() })
  .refine((b) => Object.keys(b).length > 0, 'give plan_id, status or extend_trial')
  .openapi('SubscriptionOverrideRequest');
export const Overridden = okSchema('Overridden', z.object({ subscription: Subscription }));

export const InvoiceIdParams = z.strictObject({ id: Id('inv') });
export const InvoicesQuery = z.strictObject({
  status: z.enum(['draft', 'open', 'paid', 'failed', 'void']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
const InvoiceSummary = z.object({ id: z.string(), invoice_number: z.string(), total_cents: z.number(), currency: z.string(), status: z.string(), kind: z.string(), created_at: z.string() }).openapi('InvoiceSummary');
export const InvoiceList = okSchema('InvoiceList', z.array(InvoiceSummary));
export const InvoiceDetail = okSchema(
  'InvoiceDetail',
  InvoiceSummary.extend({
    line_items: z.array(z.object({ kind: z.string(), description: z.string(), quantity: z.number().optional(), amount_cents: z.number() })),
    subtotal_cents: z.number(), credits_applied_cents: z.number(), period_start: z.string().nullable(), period_end: z.string().nullable(),
    paid_at: z.string().nullable(), failure_reason: z.string().nullable(), pdf_url: z.string(),
  }),
);
export const PayAnswer = okSchema('PayInvoice', z.object({ payment_intent_url: z.string().nullable() }));
export const FailedInvoices = okSchema('FailedInvoices', z.array(z.object({ invoice_id: z.string(), customer: z.object({ id: z.string(), name: z.string(), email: z.string() }), amount: z.number(), failure_reason: z.string().nullable() }).passthrough()));
export const RefusedPayments = okSchema(
  'RefusedPayments',
  z.array(
    z.object({
      invoice_id: z.string(),
      customer_id: z.string().nullable(),
      provider: z.string(),
      event_id: z.string().nullable(),
      reason: z.string().nullable(),
      received_at: z.string(),
    }),
  ),
);
export const Received = z.object({ received: z.literal(true) }).openapi('WebhookReceived');
export const AnyPayload = z.looseObject({}).openapi('ProviderNotification');
export const Overview = okSchema('AnalyticsOverview', z.object({ total_revenue: z.number(), active_subscriptions: z.number(), churn_rate: z.number() }).passthrough());
