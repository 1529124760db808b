import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';

export const StartedDeployment = z
  .object({
    message: z.string(),
    deployment: z.object({
      id: z.string(),
      service_id: z.string(),
      status: z.string(),
      nomad_job_id: z.string().openapi({ example: 'tenant-database-1704067200' }),
      deployed_by: z.string().nullable(),
      created_at: z.string(),
    }),
  })
  .openapi('StartedDeployment');

/** `since`: an ISO-8601 time or unix seconds; `tail`: the last lines (1–10000, default 100). */
export const LogsQuery = z.strictObject({
  tail: wholeNumberParam('integer').min(1, 'must be 1-10000').max(10_000, 'must be 1-10000').default(100),
  since: z
    .string()
    .refine(
      (s) => /^\d{1,12}$/.test(s) || !Number.isNaN(Date.parse(s)),
      'must be an ISO-8601 time or unix seconds',
    )
    .transform((s) => (/^\d+$/.test(s) ? new Date(Number(s) * 1000) : new Date(s)).toISOString())
    .optional(),
});

export const Logs = z
  .object({
    logs: z
      .array(z.string())
      .openapi({ example: ['2024-01-01T00:00:00.000000000Z Ready to accept connections'] }),
  })
  .openapi('Logs');

export const Metrics = z
  .object({
    metrics: z.object({
      cpu_usage: z.number().openapi({ description: 'percent of one host CPU, as docker stats' }),
      memory_usage: z.number().openapi({ description: 'bytes' }),
      allocation_id: z.string().openapi({ description: 'the container id' }),
      allocation_status: z
        .string()
        .openapi({ description: "the engine's state: running, restarting, exited…" }),
      node_id: z.string().openapi({ description: 'the host id' }),
    }),
  })
  .openapi('Metrics');
