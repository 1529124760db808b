import { AppError } from '../../../../core/errors';
import type { UsageEvent } from '../usage';
import { ok } from '../envelope';
import * as s from '../schemas/usage';
import { caller, keyOf, type BillingRoute, type BillingServices } from './context';

const OVER_QUOTA = {
  429: {
    description: 'Quota exceeded (hard-limit plan): `{ success: false, data: "Quota exceeded", quota_info }`',
  },
};

/** Usage: reported and checked with API keys by the customer's service; read by the customer. */
export function usageRoutes(route: BillingRoute, { usage, config }: BillingServices): void {
  route({
    method: 'post',
    path: '/api/v1/usage/report',
    tag: 'usage',
    auth: 'usage:write',
    summary: 'Report one usage event (API key with usage:write)',
    description: 'An `event_id` (or the `Idempotency-Key` header) makes a retry count once.',
    body: s.UsageEventBody,
    responses: {
      200: { description: 'Recorded (or already recorded: duplicate)', schema: s.Reported },
      ...OVER_QUOTA,
    },
    handler: async ({ body }, ctx) => {
      const event_id = body.event_id ?? (ctx.get('idempotency-key') || undefined);
      if (event_id && event_id.length > 128)
        throw new AppError(
          'invalid_request',
          400,
          'Idempotency-Key: must be at most 128 characters',
          'Idempotency-Key',
        );
      return ok(await usage.report(keyOf(ctx), { ...body, event_id }));
    },
  });
  route({
    method: 'post',
    path: '/api/v1/usage/batch-report',
    tag: 'usage',
    auth: 'usage:write',
    summary: `Report up to BILLING_BATCH_MAX_EVENTS (${config.BILLING_BATCH_MAX_EVENTS}) events; each is accepted or refused whole`,
    body: s.BatchBody,
    responses: {
      200: { description: 'Per-event results', schema: s.BatchReported },
      413: { description: 'Too many events: nothing recorded' },
    },
    handler: async ({ body }, ctx) => {
      if (body.events.length > config.BILLING_BATCH_MAX_EVENTS)
        throw new AppError(
          'batch_too_large',
          413,
          `events: at most ${config.BILLING_BATCH_MAX_EVENTS} per batch (got ${body.events.length}); nothing was recorded`,
          'events',
        );
      const good: { ok: UsageEvent; index: number }[] = [];
      const refused: { index: number; reason: string }[] = [];
      body.events.forEach((raw, index) => {
        const parsed = s.UsageEventBody.safeParse(raw);
        if (parsed.success) good.push({ ok: parsed.data, index });
        else
          refused.push({
            index,
            reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '),
          });
      });
      return ok(await usage.batchReport(keyOf(ctx), good, refused));
    },
  });
  route({
    method: 'get',
    path: '/api/v1/usage/quota-check',
    tag: 'usage',
    auth: 'usage:read',
    summary: 'Whether the quota covers what is about to be used (API key with usage:read)',
    query: s.QuotaQuery,
    responses: { 200: { description: 'Allowed', schema: s.QuotaAnswer }, ...OVER_QUOTA },
    handler: async ({ query }, ctx) =>
      ok(
        await usage.quotaCheck(keyOf(ctx).customerId, {
          tokens: query.tokens_needed,
          requests: query.requests_needed,
        }),
      ),
  });
  route({
    method: 'get',
    path: '/api/v1/usage',
    tag: 'usage',
    auth: 'customer',
    summary: 'This period: used, quota, left (group_by=day|hour adds a breakdown)',
    query: s.UsageQuery,
    responses: { 200: { description: 'Usage', schema: s.UsageAnswer } },
    handler: async ({ query }, ctx) => ok(await usage.current(caller(ctx).customer.id, query.group_by)),
  });
  route({
    method: 'get',
    path: '/api/v1/usage/history',
    tag: 'usage',
    auth: 'customer',
    summary: 'Totals per UTC day or hour between two dates (inclusive)',
    query: s.HistoryQuery,
    responses: { 200: { description: 'History', schema: s.HistoryAnswer } },
    handler: async ({ query }, ctx) =>
      ok(
        await usage.history(caller(ctx).customer.id, {
          start: new Date(`${query.start_date}T00:00:00Z`),
          end: new Date(Date.parse(`${query.end_date}T00:00:00Z`) + 86_400_000),
          granularity: query.granularity,
        }),
      ),
  });
  route({
    method: 'get',
    path: '/api/v1/usage/limits',
    tag: 'usage',
    auth: 'customer',
    summary: "The plan's limits this period",
    responses: { 200: { description: 'Limits', schema: s.LimitsAnswer } },
    handler: async (_, ctx) => ok(await usage.limits(caller(ctx).customer.id)),
  });
}
