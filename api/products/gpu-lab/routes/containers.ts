import { caller } from './context';
import { answer } from '../envelope';
import * as s from '../schemas/containers';
import type { LabRoute, LabServices } from './context';

/** Containers: created, reset, restarted, stopped, started and deleted by workflows on their host; reads asked of that host. */
export function containerRoutes(route: LabRoute, { containers, jobs }: LabServices): void {
  route({
    method: 'post',
    path: '/api/v1/docker/createContainer',
    tag: 'containers',
    auth: 'admin',
    summary: "Create a researcher's container (asynchronously)",
    description:
      'Reserves a host, ports and GPUs, then a job creates the container with its limits, workspace volume, SSH and Jupyter ports and starts it. The SSH password is in this answer only. Poll GET /docker/container/{containerName}.',
    body: s.CreateContainerBody,
    status: 202,
    responses: {
      202: { description: 'Accepted', schema: s.ContainerCreated },
      400: { description: 'cpus or memoryMb beyond what any host has at all (the field is named)' },
      409: { description: 'No host has the ports, GPUs, CPUs or memory free (named), or the name is taken' },
    },
    handler: async ({ body }, ctx) =>
      answer('Container is being created', await containers.create(caller(ctx), body, ctx.ip)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/search/{imageName*}',
    tag: 'containers',
    auth: 'user',
    summary: 'Search images: the approved catalog and what each host has',
    description: 'The name may contain slashes, as they are or encoded (`nvcr.io/nvidia/pytorch`).',
    params: s.ImageSearchParams,
    responses: { 200: { description: 'Matches', schema: s.ImageSearchAnswer } },
    handler: async ({ params }) => answer('Images found', await containers.searchImages(params.imageName)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/mycontainer',
    tag: 'containers',
    auth: 'user',
    summary: "The caller's containers",
    responses: { 200: { description: 'Containers', schema: s.ContainerList } },
    handler: async (_, ctx) => answer('Your containers', await containers.mine(caller(ctx))),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/allcontainer',
    tag: 'containers',
    auth: 'admin',
    summary: 'All containers (filter by user, host, status)',
    query: s.ListContainersQuery,
    responses: { 200: { description: 'Containers', schema: s.ContainerList } },
    handler: async ({ query }) => answer('All containers', await containers.all(query)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/containers/batch-stats',
    tag: 'containers',
    auth: 'admin',
    summary: "Every running container's stats at once, each host within a time budget",
    query: s.BatchStatsQuery,
    responses: {
      200: {
        description: 'Stats by container name; one that did not answer in time says so',
        schema: s.StatsAnswer,
      },
    },
    handler: async ({ query }) => answer('Container stats', await containers.batchStats(query.budgetMs)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/container/{containerName}',
    tag: 'containers',
    auth: 'user',
    summary: 'One container (its owner or an admin)',
    params: s.ContainerNameParams,
    responses: { 200: { description: 'The container', schema: s.ContainerAnswer } },
    handler: async ({ params }, ctx) =>
      answer('Container', await containers.detail(caller(ctx), params.containerName)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/job/{jobId}',
    tag: 'containers',
    auth: 'user',
    summary: "A container job's status, steps and error (its container's owner or an admin)",
    description:
      "Every 202 above answers a `jobId`; this reads it. Another researcher's job is 404. " +
      "A container's detail shows its newest job as `lastJob`.",
    params: s.JobIdParams,
    responses: {
      200: { description: 'The job', schema: s.JobDetailAnswer },
      404: { description: 'No such job of yours' },
    },
    handler: async ({ params }, ctx) => answer('Job', await jobs.get(caller(ctx), params.jobId)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/container/{containerName}/log',
    tag: 'containers',
    auth: 'user',
    summary: "The container's log (tail, since)",
    params: s.ContainerNameParams,
    query: s.LogsQuery,
    responses: { 200: { description: 'Log text', schema: s.LogsAnswer } },
    handler: async ({ params, query }, ctx) =>
      answer('Container log', await containers.logs(caller(ctx), params.containerName, query)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/container/{containerName}/stats',
    tag: 'containers',
    auth: 'user',
    summary: 'CPU %, memory, network, block I/O, pids now',
    params: s.ContainerNameParams,
    responses: { 200: { description: 'Stats', schema: s.StatsAnswer } },
    handler: async ({ params }, ctx) =>
      answer('Container stats', await containers.stats(caller(ctx), params.containerName)),
  });

  route({
    method: 'get',
    path: '/api/v1/docker/container/{containerName}/jupyterlink',
    tag: 'containers',
    auth: 'user',
    summary: "The container's Jupyter link (host, port, token)",
    params: s.ContainerNameParams,
    responses: { 200: { description: 'Link', schema: s.JupyterAnswer }, 409: { description: 'Not running' } },
    handler: async ({ params }, ctx) =>
      answer('Jupyter link', await containers.jupyterLink(caller(ctx), params.containerName)),
  });

  for (const [kind, auth, summary] of [
    ['restart', 'user', 'Restart the container'],
    ['stop', 'admin', 'Stop the container'],
    ['start', 'admin', 'Start the container'],
  ] as const) {
    route({
      method: 'post',
      path: `/api/v1/docker/container/{containerName}/${kind}`,
      tag: 'containers',
      auth,
      summary: `${summary} (asynchronously)`,
      params: s.ContainerNameParams,
      status: 202,
      responses: { 202: { description: 'Accepted', schema: s.JobAnswer } },
      handler: async ({ params }, ctx) =>
        answer('Request accepted', await containers.action(caller(ctx), params.containerName, kind, ctx.ip)),
    });
  }

  route({
    method: 'post',
    path: '/api/v1/docker/container/{containerName}/reset',
    tag: 'containers',
    auth: 'user',
    summary: 'Recreate the container from its image (asynchronously)',
    description:
      'Keeps name, ports, GPUs and (unless `wipeWorkspace`) the workspace; sets a new SSH password, shown in this answer only.',
    params: s.ContainerNameParams,
    body: s.ResetBody,
    status: 202,
    responses: { 202: { description: 'Accepted', schema: s.ResetAnswer } },
    handler: async ({ params, body }, ctx) =>
      answer(
        'Container reset started',
        await containers.reset(caller(ctx), params.containerName, body, ctx.ip),
      ),
  });

  route({
    method: 'post',
    path: '/api/v1/docker/container/{containerName}/changePassword',
    tag: 'containers',
    auth: 'user',
    summary: "Change the container's SSH password (asynchronously)",
    description: 'Set inside the running container with chpasswd on stdin; never stored or logged.',
    params: s.ContainerNameParams,
    body: s.SshPasswordBody,
    status: 202,
    responses: { 202: { description: 'Accepted', schema: s.JobAnswer } },
    handler: async ({ params, body }, ctx) =>
      answer(
        'SSH password is being changed',
        await containers.changePassword(caller(ctx), params.containerName, body, ctx.ip),
      ),
  });

  route({
    method: 'delete',
    path: '/api/v1/docker/container/{containerName}',
    tag: 'containers',
    auth: 'admin',
    summary: 'Delete the container and its workspace (asynchronously)',
    params: s.ContainerNameParams,
    status: 202,
    responses: { 202: { description: 'Accepted', schema: s.JobAnswer } },
    handler: async ({ params }, ctx) =>
      answer(
        'Container is being deleted',
        await containers.remove(caller(ctx), params.containerName, ctx.ip),
      ),
  });
}
