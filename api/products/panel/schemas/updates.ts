import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod

export const PanelVersion = z
  .object({
    version: z.string(),
    commit: z.string().nullable(),
    build_time: z.string().nullable().openapi({ description: 'null when running from source' }),
  })
  .openapi('PanelVersion');
export const UpdateCheck = z
  .object({
    status: z.enum(['up_to_date', 'update_available', 'unknown']),
    current_commit: z.string().nullable(),
    remote_commit: z.string().nullable(),
    repo_url: z.string(),
    branch: z.string(),
    checked_at: z.string().datetime(),
    reason: z.string().optional().openapi({ description: 'Why the status is unknown' }),
  })
  .openapi('UpdateCheck');
export const UpdateStarted = z
  .object({
    unit: z.string(),
    repo_url: z.string(),
    branch: z.string(),
    script_url: z.string(),
    started_at: z.string().datetime(),
  })
  .openapi('UpdateStarted');
export const UpdateStatus = z
  .object({
    unit: z.string(),
    active_state: z.string(),
    sub_state: z.string().nullable(),
    result: z.string().nullable(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    logs: z.array(z.string()),
    reason: z.string().optional(),
  })
  .openapi('UpdateStatus');
