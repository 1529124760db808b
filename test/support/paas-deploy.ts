import type Docker from 'dockerode';
import type { TestApi } from './api';
import { eventually } from './api';

/** paas's contract paths under its default mount. */
export const PAAS = '/paas/api/v1';
const PASSWORD = 'Paas-Deploy-Passw0rd!';
let n = 0;

/** A paas user of the calling test's own (a tenant is made for it), logged in: its id, tenant and token. */
export async function paasTenant(api: TestApi, label = 'dev') {
  const username = `${label}_${process.pid}_${Date.now().toString(36)}_${n++}`;
  const reg = await api.request('POST', `${PAAS}/auth/register`, {
    body: {
      username,
      email: `${username}@paas.test`,
      password: PASSWORD,
      first_name: 'Dev',
      last_name: 'Eloper',
    },
  });
  if (reg.status !== 201) throw new Error(`paas register ${username}: ${reg.status} ${reg.text}`);
  const res = await api.request('POST', `${PAAS}/auth/login`, { body: { username, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`paas login ${username}: ${res.status} ${res.text}`);
  return {
    id: res.body.user.id as string,
    tenantId: reg.body.user.tenant_id as string,
    token: res.body.token as string,
  };
}

/** A request to a paas path (`/services/...`) as the token's holder. */
export const paasCall = (api: TestApi) => (method: string, path: string, token: string, body?: unknown) =>
  api.request(method, `${PAAS}${path}`, { token, body });

/** A service config of the test's own image: one port, small limits. */
export const serviceConfig = (image: string, over: Record<string, unknown> = {}) => ({
  image,
  ports: [8080],
  environment: { GREETING: 'hello', API_KEY: 'sealed-in-history-0451' },
  resources: { cpu: 200, memory: 64, disk: 16 },
  ...over,
});

/** Waits until the deployment has ended (completed or failed) and returns its row. */
export const deploymentEnded = (api: TestApi, deploymentId: string, timeoutMs = 90_000) =>
  eventually(
    async () => {
      const d = await api.db('paas.deployments').where({ id: deploymentId }).first();
      return d && ['completed', 'failed'].includes(d.status) ? d : undefined;
    },
    timeoutMs,
    `deployment ${deploymentId} to end`,
  );

/** Waits until the service's status is one of `statuses` (null: its row is gone). */
export const serviceStatus = (
  api: TestApi,
  serviceId: string,
  statuses: (string | null)[],
  timeoutMs = 90_000,
) =>
  eventually(
    async () => {
      const s = await api.db('paas.services').where({ id: serviceId }).first();
      const status = s?.status ?? null;
      return statuses.includes(status) ? { status } : undefined;
    },
    timeoutMs,
    `service ${serviceId} to be ${statuses.join(' or ')}`,
  );

/** Waits until the job has ended and returns its row. */
export const jobEnded = (api: TestApi, jobId: string, timeoutMs = 90_000) =>
  eventually(
    async () => {
      const j = await api.db('platform.jobs').where({ id: jobId }).first();
      return j && ['succeeded', 'failed'].includes(j.status) ? j : undefined;
    },
    timeoutMs,
    `job ${jobId}`,
  );

/** What Docker holds of a service: its containers (running or not), volumes and networks, by label. */
export async function dockerHoldings(docker: Docker, serviceId: string) {
  const label = [`dermaga.service=${serviceId}`];
  const [containers, volumes, networks] = await Promise.all([
    docker.listContainers({ all: true, filters: { label } }),
    docker.listVolumes({ filters: { label } }),
    docker.listNetworks({ filters: { label } }),
  ]);
  return {
    containers: containers.map((c) => ({ name: c.Names[0].slice(1), state: c.State })),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
    networks: networks.map((x) => x.Name),
  };
}

/** The body a published host port answers an HTTP GET / with (busybox httpd). */
export async function fetchPublished(docker: Docker, containerName: string, port = 8080): Promise<string> {
  const info = await docker.getContainer(containerName).inspect();
  const hostPort = info.NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort;
  if (!hostPort) throw new Error(`${containerName} publishes no ${port}/tcp`);
  const res = await fetch(`http://127.0.0.1:${hostPort}/`);
  return res.text();
}
