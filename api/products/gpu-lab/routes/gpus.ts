import { caller } from './context';
import { answer } from '../envelope';
import * as g from '../schemas/gpus';
import { Deleted } from '../schemas/common';
import type { LabRoute, LabServices } from './context';

const PROBE_ERRORS = {
  400: { description: 'hostId is not one of GPULAB_HOSTS' },
  502: { description: 'nvidia-smi failed or printed something unparsable' },
  503: {
    description:
      'The host has no usable NVIDIA driver, no worker polls its queue, or it did not answer (the message names the host)',
  },
};

/** The GPU inventory (what containers are given) and nvidia-smi on a host to fill it from. */
export function gpuRoutes(route: LabRoute, { gpus }: LabServices): void {
  route({
    method: 'post',
    path: '/api/v1/gpu',
    tag: 'gpu',
    auth: 'admin',
    summary: 'Add a GPU or MIG instance to the inventory',
    body: g.CreateGpuBody,
    status: 201,
    responses: {
      201: { description: 'Added', schema: g.GpuAnswer },
      409: { description: 'UUID, or host and index, already present' },
    },
    handler: async ({ body }, ctx) => answer('GPU added', await gpus.create(caller(ctx), body, ctx.ip)),
  });

  route({
    method: 'get',
    path: '/api/v1/gpu',
    tag: 'gpu',
    auth: 'admin',
    summary: 'The GPU inventory by host and index, with the container holding each',
    query: g.ListGpusQuery,
    responses: { 200: { description: 'GPUs', schema: g.GpuList } },
    handler: async ({ query }) => answer('GPUs', await gpus.list(query)),
  });

  for (const [path, probe, summary, command, schema] of [
    [
      '/api/v1/gpu/discover',
      'discover',
      'The GPUs nvidia-smi sees on a host (not the inventory: add what you want with POST /gpu)',
      'nvidia-smi --query-gpu=… --format=csv',
      g.DiscoverAnswer,
    ],
    [
      '/api/v1/gpu/mig/summary',
      'mig-summary',
      'MIG devices per GPU on a host, and counts per profile',
      'nvidia-smi -L',
      g.MigSummaryAnswer,
    ],
    [
      '/api/v1/gpu/mig/instances',
      'mig-instances',
      'MIG GPU instances and compute instances on a host',
      'nvidia-smi mig -lgi and mig -lci (root on the host)',
      g.MigInstancesAnswer,
    ],
    [
      '/api/v1/gpu/topology',
      'topology',
      "A host's GPU/NIC interconnect matrix",
      'nvidia-smi topo -m',
      g.TopologyAnswer,
    ],
  ] as const) {
    route({
      method: 'get',
      path,
      tag: 'gpu',
      auth: 'admin',
      summary,
      description: `Runs \`${command}\` on the host through its worker, which parses the output there.`,
      query: g.HostQuery,
      responses: { 200: { description: summary, schema }, ...PROBE_ERRORS },
      handler: async ({ query }) => answer(summary, await gpus.probe(probe, query.hostId)),
    });
  }

  route({
    method: 'patch',
    path: '/api/v1/gpu/{id}',
    tag: 'gpu',
    auth: 'admin',
    summary: 'Update a device in the inventory (maintenance or offline keeps it from new containers)',
    params: g.GpuIdParams,
    body: g.UpdateGpuBody,
    responses: {
      200: { description: 'Updated', schema: g.GpuAnswer },
      404: { description: 'No such GPU' },
      409: { description: 'UUID or index taken, or a container holds it and the change would move it' },
    },
    handler: async ({ params, body }, ctx) =>
      answer('GPU updated', await gpus.update(caller(ctx), params.id, body, ctx.ip)),
  });

  route({
    method: 'delete',
    path: '/api/v1/gpu/{id}',
    tag: 'gpu',
    auth: 'admin',
    summary: 'Remove a device from the inventory',
    description: 'Refused with 409 while a container holds it.',
    params: g.GpuIdParams,
    responses: {
      200: { description: 'Removed', schema: Deleted },
      404: { description: 'No such GPU' },
      409: { description: 'A container holds it' },
    },
    handler: async ({ params }, ctx) =>
      answer('GPU removed', await gpus.remove(caller(ctx), params.id, ctx.ip)),
  });
}
