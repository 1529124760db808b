import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod

export const Healthz = z
  .object({
    status: z.enum(['ok', 'degraded']),
    service: z.literal('nusantarad'),
    timestamp: z.string().datetime(),
  })
  .openapi('PanelHealth');

export const Compatibility = z
  .object({
    target_os: z.string(),
    single_server_only: z.boolean(),
    native_on_server: z.boolean(),
    compatibility_info: z.object({
      goos: z.string(),
      id: z.string(),
      version_id: z.string(),
      supported: z.boolean(),
    }),
  })
  .openapi('Compatibility');
