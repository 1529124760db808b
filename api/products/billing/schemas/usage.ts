import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';
import { okSchema } from '../envelope';
import { EVENT_TYPES } from '../usage';

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
const EVENT_WINDOW = `within the last ${EVENT_PAST_DAYS} days and ${EVENT_AHEAD_MINUTES} minutes ahead at most`;
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
    event_type: z
      .enum(EVENT_TYPES, { error: () => `must be one of: ${EVENT_TYPES.join(', ')}` })
      .openapi({ description: 'tokens_used adds to tokens, api_call to requests' }),
    quantity: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .positive('must be positive')
      .max(1e12),
    event_id: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .openapi({ description: 'Idempotency key: an event with one already counted is not counted again' }),
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
export const BatchBody = z
  .strictObject({ events: z.array(z.unknown()).min(1, 'give at least one event') })
  .openapi('BatchUsageRequest');
const Remaining = z.object({ tokens: z.number(), requests: z.number() });
export const Reported = okSchema(
  'UsageReported',
  z.object({ recorded_at: z.string(), duplicate: z.boolean(), remaining_quota: Remaining }),
);
export const BatchReported = okSchema(
  'BatchUsageReported',
  z.object({
    processed_count: z.number().int(),
    duplicate_count: z.number().int(),
    failed_count: z.number().int(),
    failed: z.array(z.object({ index: z.number().int(), reason: z.string() })),
    remaining_quota: Remaining,
  }),
);
export const QuotaQuery = z.strictObject({
  tokens_needed: wholeNumberParam('bigint', 'must be a whole number').min(0).default(0),
  requests_needed: wholeNumberParam('bigint', 'must be a whole number').min(0).default(1),
});
export const QuotaAnswer = okSchema(
  'QuotaCheck',
  z.object({ allowed: z.boolean(), remaining: Remaining, overage: z.boolean().optional() }),
);
export const UsageQuery = z.strictObject({
  period: z.literal('current_month').or(z.literal('current_period')).optional(),
  group_by: z.enum(['day', 'hour']).optional(),
});
export const HistoryQuery = z
  .strictObject({
    start_date: z.string().date('must be a date (YYYY-MM-DD)'),
    end_date: z.string().date('must be a date (YYYY-MM-DD)'),
    granularity: z.enum(['daily', 'hourly']).default('daily'),
  })
  .refine((q) => q.start_date <= q.end_date, {
    path: ['end_date'],
    message: 'must not be before start_date',
  });
export const UsageAnswer = okSchema(
  'Usage',
  z.object({ tokens_used: z.number(), requests_made: z.number(), quota: Remaining }).passthrough(),
);
export const HistoryAnswer = okSchema(
  'UsageHistory',
  z.array(
    z.object({
      date: z.string().optional(),
      hour: z.string().optional(),
      tokens_used: z.number(),
      requests_made: z.number(),
    }),
  ),
);
export const LimitsAnswer = okSchema(
  'UsageLimits',
  z
    .object({
      plan: z.string().nullable(),
      limits: z.object({ tokens_monthly: z.number(), requests_monthly: z.number() }),
    })
    .passthrough(),
);
