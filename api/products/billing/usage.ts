import type { Knex } from 'knex';
import type { HotPool } from '../../../core/db';
import { createUsageReads } from './usage-reads';
import { createUsageWrites } from './usage-writes';

export { EVENT_TYPES, QuotaExceeded, type EventType, type UsageEvent } from './usage-terms';

/**
 * Usage metering against the customer's live subscription period. Counters are one row per
 * customer and period, changed only by atomic upserts (exact under any concurrency); an event
 * with an `event_id` is stored once, so a retried one is counted once; a hard-limit plan refuses
 * what would pass its quota and records nothing of it.
 */
export function createUsageService(deps: { db: Knex; pool: HotPool }) {
  return { ...createUsageWrites(deps), ...createUsageReads(deps) };
}
export type UsageService = ReturnType<typeof createUsageService>;
