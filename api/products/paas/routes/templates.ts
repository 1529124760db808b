import { IdParams } from '../schemas/common';
import * as s from '../schemas/templates';
import { caller, type PaasRoute, type PaasServices } from './context';

/** The template catalog. */
export function templateRoutes(route: PaasRoute, { templates }: PaasServices): void {
  route({
    method: 'get',
    path: '/api/v1/templates',
    tag: 'templates',
    auth: 'user',
    summary: 'List service templates',
    responses: { 200: { description: 'The catalog', schema: s.TemplateList } },
    handler: async (_, ctx) => templates.list(caller(ctx)),
  });

  route({
    method: 'get',
    path: '/api/v1/templates/{id}',
    tag: 'templates',
    auth: 'user',
    summary: 'A template with its config and placeholders',
    params: IdParams,
    responses: {
      200: { description: 'The template', schema: s.TemplateDetail },
      400: { description: 'Invalid template ID' },
      404: { description: 'Template not found' },
    },
    handler: ({ params }, ctx) => templates.get(caller(ctx), params.id),
  });
}
