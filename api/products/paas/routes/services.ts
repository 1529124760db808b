import { Message } from '../envelope';
import { IdParams } from '../schemas/common';
import * as s from '../schemas/services';
import { caller, type PaasRoute, type PaasServices } from './context';

const scope =
  'A user sees and acts on the services it created, a tenant_admin on every service of its tenant, an admin on all; any other id is 404.';

/** Create, list, read, update and delete services (deploying them is in deployments.ts's routes). */
export function serviceRoutes(route: PaasRoute, { services }: PaasServices): void {
  route({
    method: 'post',
    path: '/api/v1/services',
    tag: 'services',
    auth: 'user',
    summary: 'Create a service (stopped) from a template or its own config',
    description:
      'One service per type per tenant, at most the tenant’s limit. `{{VAR}}` placeholders are filled from config.custom_variables, ' +
      'then the template’s defaults; a password not given is generated (shown in config to the creator only).',
    body: s.CreateBody,
    status: 201,
    responses: {
      201: { description: 'Created', schema: s.ServiceDetail },
      400: {
        description:
          'Invalid input, unknown template or type, Service already exists for this tenant, Tenant has reached maximum number of services',
      },
    },
    handler: ({ body }, ctx) => services.create(caller(ctx), body),
  });

  route({
    method: 'get',
    path: '/api/v1/services',
    tag: 'services',
    auth: 'user',
    summary: 'List the services the caller may see, with their latest deployments',
    description: scope,
    query: s.ListQuery,
    responses: { 200: { description: 'Services', schema: s.ServiceList } },
    handler: ({ query }, ctx) => services.list(caller(ctx), query),
  });

  route({
    method: 'get',
    path: '/api/v1/services/{id}',
    tag: 'services',
    auth: 'user',
    summary: 'A service with its config',
    description: `${scope} Passwords in config.environment are masked (********) for anyone but the creator.`,
    params: IdParams,
    responses: {
      200: { description: 'The service', schema: s.ServiceDetail },
      400: { description: 'Invalid service ID' },
      404: { description: 'Service not found' },
    },
    handler: ({ params }, ctx) => services.get(caller(ctx), params.id),
  });

  route({
    method: 'put',
    path: '/api/v1/services/{id}',
    tag: 'services',
    auth: 'user',
    summary: "Update a service's name, description or config",
    description:
      'A running service whose config changes is redeployed (new deployment; the old container is removed once the new one is healthy). ' +
      'A masked value (********) sent back keeps the current one. The type cannot change.',
    params: IdParams,
    body: s.UpdateBody,
    responses: {
      200: { description: 'Updated', schema: s.UpdatedService },
      400: { description: 'Invalid service ID or input data, or a deployment in progress' },
      404: { description: 'Service not found' },
    },
    handler: ({ params, body }, ctx) => services.update(caller(ctx), params.id, body),
  });

  route({
    method: 'delete',
    path: '/api/v1/services/{id}',
    tag: 'services',
    auth: 'user',
    summary: 'Delete a service',
    description:
      'A service that was ever deployed becomes `deleting` and its containers, volume and network are removed by a workflow; ' +
      'it is gone from GET /services (404 on GET /services/:id) once that ends.',
    params: IdParams,
    responses: {
      200: { description: 'Accepted', schema: Message },
      400: { description: 'Invalid service ID, or a deployment in progress' },
      404: { description: 'Service not found' },
    },
    handler: ({ params }, ctx) => services.remove(caller(ctx), params.id),
  });
}
