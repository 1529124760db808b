import { createOptions } from '../../../adapters/containers';
import { LogsQuery } from '../../../api/products/paas/schemas/deployments';

describe("a paas service's container create body", () => {
  it('joins the service network and lets the engine pick each published host port', () => {
    const o = createOptions({
      name: 'paas-880e8400-e29b-41d4-a716-446655440000',
      image: 'postgres:16',
      env: { POSTGRES_PASSWORD: 'x' },
      labels: { 'dermaga.service': 's' },
      cpus: 0.5,
      memoryMb: 1024,
      ports: { 5432: 0 },
      bindAddress: '127.0.0.1',
      network: 'paas-svc-s',
    });
    expect(o.HostConfig).toMatchObject({
      NetworkMode: 'paas-svc-s',
      NanoCpus: 500_000_000,
      Memory: 1024 * 2 ** 20,
      PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    });
    expect(o.Env).toEqual(['POSTGRES_PASSWORD=x']);
  });
});

describe('the logs query', () => {
  it('takes tail 1-10000 (default 100) and since as ISO-8601 or unix seconds', () => {
    expect(LogsQuery.parse({})).toEqual({ tail: 100 });
    expect(LogsQuery.parse({ tail: '5', since: '1704067200' })).toEqual({
      tail: 5,
      since: '2024-01-01T00:00:00.000Z',
    });
    expect(LogsQuery.parse({ since: '2024-01-01T00:00:01Z' }).since).toBe('2024-01-01T00:00:01.000Z');
    expect(LogsQuery.safeParse({ tail: '0' }).success).toBe(false);
    expect(LogsQuery.safeParse({ tail: '1.5' }).success).toBe(false);
    expect(LogsQuery.safeParse({ since: 'yesterday' }).success).toBe(false);
  });
});
