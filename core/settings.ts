import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The kit a product's settings are written with. Each product declares its own variables in
 * api/products/<product>/config.ts as a zod schema over the environment (see `ProductSettings`),
 * registers it in api/products/settings.ts, and core/config.ts composes it with the platform's own:
 * a bad value is refused at start in one ConfigError line naming the variable.
 */
export type ProductSettings<Out extends object = object> = z.ZodType<Out>;

/** A positive whole number of seconds. */
export const seconds = z.coerce.number().int().positive();

/** A five-field cron expression for a Temporal Schedule, or `off` for none. */
export const cronOrOff = z
  .string()
  .regex(/^(off|(\S+\s+){4}\S+)$/, 'must be a five-field cron expression or off');

export const EPHEMERAL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';

/** This machine's ephemeral port range (Linux), or null where the kernel does not say. */
export function ephemeralPortRange(file = EPHEMERAL_RANGE_FILE): { from: number; to: number } | null {
  try {
    const [from, to] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(from) && Number.isInteger(to) ? { from, to } : null;
  } catch {
    return null;
  }
}
