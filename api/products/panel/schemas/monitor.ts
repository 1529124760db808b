import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod

const Usage = { total_bytes: z.number().int(), used_bytes: z.number().int(), used_percent: z.number() };
export const HostStatus = z
  .object({
    hostname: z.string(),
    cpu: z.object({
      cores: z.number().int(),
      model: z.string().nullable(),
      load: z.object({ '1m': z.number(), '5m': z.number(), '15m': z.number() }),
      usage_percent: z.number().openapi({ description: 'Busy share over a 200 ms sample' }),
    }),
    memory: z.object({ ...Usage, available_bytes: z.number().int() }),
    swap: z.object({ ...Usage, free_bytes: z.number().int() }),
    disks: z.array(
      z.object({
        mount: z.string(),
        device: z.string(),
        type: z.string(),
        ...Usage,
        available_bytes: z.number().int(),
      }),
    ),
    uptime_seconds: z.number().int(),
    collected_at: z.string().datetime(),
  })
  .openapi('HostStatus');

export const ServiceStatus = z
  .object({
    method: z
      .enum(['systemctl', 'process-table'])
      .openapi({ description: 'How nginx, MariaDB and PHP-FPM were checked on this host' }),
    services: z.array(
      z.object({
        name: z.string(),
        unit: z.string(),
        status: z
          .string()
          .openapi({ description: 'systemctl is-active vocabulary: active, inactive, failed, ...' }),
        method: z.enum(['systemctl', 'process-table', 'temporal-pollers']),
        detail: z.string().optional(),
      }),
    ),
    checked_at: z.string().datetime(),
  })
  .openapi('ServiceStatus');
