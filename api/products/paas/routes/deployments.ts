import { Message } from '../envelope';
import { IdParams } from '../schemas/common';
import * as s from '../schemas/deployments';
import { caller, type PaasRoute, type PaasServices } from './context';

const scope =
  'Scoped as every service route: another tenant’s (or, for a user, another user’s) service is 404.';
const finish =
  'Accepted at once; the work runs as a workflow: GET /services/:id shows the service’s status change ' +
  '(and GET /services its deployments) when it ends.';

/** Deploying a service and reading it from the engine that runs it (api/products/paas/deployments.ts). */
export function deploymentRoutes(route: PaasRoute, { deployments }: PaasServices): void {
  route({
    method: 'post',
    path: '/api/v1/services/{id}/start',
    tag: 'services',
    auth: 'user',
    summary: 'Start a service deployment',
    description:
      `A deployment (pending) of the service’s config, run by the workflow paas-deploy-<deployment id>: a host with room, the image, ` +
      `network, volume and container, started and healthy. It ends completed or failed (with the reason) in GET /services’ ` +
      `deployments; the service becomes running or failed. ${scope}`,
    params: IdParams,
    responses: {
      200: { description: 'Started', schema: s.StartedDeployment },
      400: {
        description: 'Invalid service ID, Service is already running, Service deployment already in progress',
      },
      404: { description: 'Service not found' },
    },
    handler: ({ params }, ctx) => deployments.startDeployment(caller(ctx), params.id),
  });

  route({
    method: 'post',
    path: '/api/v1/services/{id}/stop',
    tag: 'services',
    auth: 'user',
    summary: 'Stop a running service',
    description: `The service is stopping, then stopped (its container removed, its data volume kept). ${finish} ${scope}`,
    params: IdParams,
    responses: {
      200: { description: 'Accepted', schema: Message },
      400: { description: 'Invalid service ID, Service is not running' },
      404: { description: 'Service not found' },
    },
    handler: ({ params }, ctx) => deployments.stopService(caller(ctx), params.id),
  });

  route({
    method: 'post',
    path: '/api/v1/services/{id}/restart',
    tag: 'services',
    auth: 'user',
    summary: 'Restart a running service',
    description: `The service is deploying until its container is restarted and healthy, then running (failed if it does not come back). ${finish} ${scope}`,
    params: IdParams,
    responses: {
      200: { description: 'Accepted', schema: Message },
      400: { description: 'Invalid service ID, Service is not running' },
      404: { description: 'Service not found' },
    },
    handler: ({ params }, ctx) => deployments.restartService(caller(ctx), params.id),
  });

  route({
    method: 'get',
    path: '/api/v1/services/{id}/logs',
    tag: 'services',
    auth: 'user',
    summary: 'The running service’s log lines, each with its timestamp',
    description: `Read from the Docker engine of the host that runs it. 503 when that host or its engine does not answer. ${scope}`,
    params: IdParams,
    query: s.LogsQuery,
    responses: {
      200: { description: 'Log lines', schema: s.Logs },
      400: { description: 'Invalid service ID, tail or since; Service is not running' },
      404: { description: 'Service not found' },
      503: { description: 'The host or its Docker engine does not answer' },
    },
    handler: ({ params, query }, ctx) => deployments.logs(caller(ctx), params.id, query),
  });

  route({
    method: 'get',
    path: '/api/v1/services/{id}/metrics',
    tag: 'services',
    auth: 'user',
    summary: 'The running service’s CPU and memory use, container and host',
    description: `Read from the Docker engine of the host that runs it. 503 when that host or its engine does not answer. ${scope}`,
    params: IdParams,
    responses: {
      200: { description: 'Metrics', schema: s.Metrics },
      400: { description: 'Invalid service ID; Service is not running' },
      404: { description: 'Service not found' },
      503: { description: 'The host or its Docker engine does not answer' },
    },
    handler: ({ params }, ctx) => deployments.metrics(caller(ctx), params.id),
  });
}
