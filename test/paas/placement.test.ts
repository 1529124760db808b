import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { createDeploymentRecordActivities } from '../../activities/paas/deployment-records';
import { startApi, type TestApi } from '../support/api';
import { paasCall, paasTenant, serviceConfig } from '../support/paas-deploy';

// Placement against the real database: the record activity the deploy workflow calls, given each host's answer.
let api: TestApi;
let records: ReturnType<typeof createDeploymentRecordActivities>;
const tag = `${process.pid}-${Date.now().toString(36)}`;
const hostA = `place-a-${tag}`;
const hostB = `place-b-${tag}`;

beforeAll(async () => {
  api = await startApi();
  records = createDeploymentRecordActivities({ db: api.db });
}, 60_000);
afterAll(() => api.close());

/** A service of a fresh tenant, and `n` deployments of it asking cpu/memory, as the start route records them. */
async function deploymentsAsking(n: number, cpu: number, memory: number, status = 'in_progress') {
  const dev = await paasTenant(api, 'place');
  const created = await paasCall(api)('POST', '/services', dev.token, {
    name: 'placed',
    type: 'web',
    config: serviceConfig('dermaga-test/placed:1', { resources: { cpu, memory, disk: 1 } }),
  });
  expect(created.status).toBe(201);
  const ids = Array.from({ length: n }, () => randomUUID());
  for (const id of ids)
    await api.db('paas.deployments').insert({
      id,
      service_id: created.body.id,
      // Only one may be pending or in progress per service: the others stand for deployments that ran.
      status: id === ids[0] ? status : 'completed',
      nomad_job_id: `tenant-web-${id}`,
      config: JSON.stringify({ resources: { cpu, memory, disk: 1 } }),
    });
  return ids;
}

const engines = [
  { hostId: hostA, cpuMhz: 1000, memoryMb: 1024, source: 'config' as const },
  { hostId: hostB, cpuMhz: 2000, memoryMb: 512, source: 'config' as const },
];

describe('placing a deployment on a host', () => {
  it('takes the host with the most room for its cpu and memory, counting what runs there', async () => {
    const [first] = await deploymentsAsking(1, 800, 256);
    expect(await records.reservePaasHost({ deploymentId: first, cpuMhz: 800, memoryMb: 256, engines })).toBe(
      hostB,
    );
    const [second] = await deploymentsAsking(1, 800, 256);
    // B has 1200 MHz left, A 1000: B still has the most.
    expect(await records.reservePaasHost({ deploymentId: second, cpuMhz: 800, memoryMb: 256, engines })).toBe(
      hostB,
    );
    const [third] = await deploymentsAsking(1, 800, 256);
    // B has 400 MHz left now: only A fits.
    expect(await records.reservePaasHost({ deploymentId: third, cpuMhz: 800, memoryMb: 256, engines })).toBe(
      hostA,
    );
    const [fourth] = await deploymentsAsking(1, 800, 256);
    const refused = await records
      .reservePaasHost({
        deploymentId: fourth,
        cpuMhz: 800,
        memoryMb: 256,
        engines: [...engines, { hostId: `place-gone-${tag}`, error: 'no worker' }],
      })
      .catch((err: ApplicationFailure) => err);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).type).toBe('no_host_capacity');
    expect((refused as ApplicationFailure).nonRetryable).toBe(true);
    expect((refused as ApplicationFailure).message).toBe(
      `no host has room for cpu 800 MHz and memory 256 MB (not answering: place-gone-${tag}: no worker)`,
    );
  });

  it('gives the last room to one of two deployments asking at once', async () => {
    const only = [{ hostId: `place-last-${tag}`, cpuMhz: 1000, memoryMb: 1024, source: 'config' as const }];
    const [x] = await deploymentsAsking(1, 600, 100);
    const [y] = await deploymentsAsking(1, 600, 100);
    const results = await Promise.allSettled([
      records.reservePaasHost({ deploymentId: x, cpuMhz: 600, memoryMb: 100, engines: only }),
      records.reservePaasHost({ deploymentId: y, cpuMhz: 600, memoryMb: 100, engines: only }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await api.db('paas.deployments').whereIn('id', [x, y]).whereNotNull('host_id')).toHaveLength(1);
  });
});
