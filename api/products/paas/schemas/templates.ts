import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod

export const Resources = z.object({
  cpu: z.number().openapi({ description: 'MHz' }),
  memory: z.number().openapi({ description: 'MB' }),
  disk: z.number().openapi({ description: 'MB' }),
});

export const TemplateSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    description: z.string(),
    icon: z.string(),
    category: z.string(),
    tags: z.array(z.string()),
    is_public: z.boolean(),
    created_at: z.string(),
  })
  .openapi('TemplateSummary');

export const TemplateList = z
  .object({ templates: z.array(TemplateSummary), total: z.number().int() })
  .openapi('TemplateList');

export const TemplateDetail = TemplateSummary.extend({
  config: z.object({
    image: z.string(),
    ports: z.array(z.number().int()),
    environment: z.record(z.string(), z.string()),
    resources: Resources,
    nomad_job_file: z.string().optional(),
  }),
  health_check: z
    .union([
      z.object({ type: z.literal('tcp'), port: z.number().int() }),
      z.object({ type: z.literal('command'), command: z.array(z.string()) }),
    ])
    .nullable()
    .openapi({
      description: 'How a deployment knows the service is healthy; null: its first port accepts connections',
    }),
  variables: z
    .record(
      z.string(),
      z.object({ description: z.string(), default: z.string().optional(), secret: z.boolean().optional() }),
    )
    .openapi({
      description:
        'The {{VAR}} placeholders: a secret one not given in custom_variables is generated, another takes its default',
    }),
}).openapi('TemplateDetail');
