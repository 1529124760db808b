import { Invalid } from '../../../core/errors';
import { createOptions, gpuDeviceRequests, type ContainerSpec } from '../../../adapters/containers';

// What Docker is asked for, without asking Docker: test/platform/containers.test.ts runs it on the real engine.
const owner = { label: 'dermaga.test', value: 'containers-unit' };
const name = 'dermaga-test-unit';
const volume = `${name}-workspace`;

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name,
  image: 'busybox:test',
  cmd: ['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace'],
  labels: { [owner.label]: owner.value },
  cpus: 0.5,
  memoryMb: 64,
  volume: { name: volume, mountPath: '/workspace' },
  bindAddress: '127.0.0.1',
  ...over,
});

describe('the create body', () => {
  it('sets hard CPU and memory limits, the workspace volume, published ports and labels', () => {
    const o = createOptions(spec({ ports: { 8888: 40001, 22: 40002 } }));
    expect(o.HostConfig).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 64 * 2 ** 20,
      MemorySwap: 64 * 2 ** 20,
      DeviceRequests: [],
      Mounts: [{ Type: 'volume', Source: volume, Target: '/workspace' }],
      PortBindings: {
        '8888/tcp': [{ HostIp: '127.0.0.1', HostPort: '40001' }],
        '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '40002' }],
      },
    });
    expect(o.ExposedPorts).toEqual({ '8888/tcp': {}, '22/tcp': {} });
    expect(o.Labels).toEqual({ [owner.label]: owner.value });
  });

  it('asks the nvidia driver for exactly the GPUs or MIG instances named, by UUID', () => {
    expect(gpuDeviceRequests([])).toEqual([]);
    expect(
      gpuDeviceRequests([
        'GPU-5f6b2e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
        'MIG-GPU-5f6b2e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/1/0',
      ]),
    ).toEqual([
      {
        Driver: 'nvidia',
        DeviceIDs: [
          'GPU-5f6b2e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
          'MIG-GPU-5f6b2e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/1/0',
        ],
        Capabilities: [['gpu']],
      },
    ]);
    expect(
      createOptions(spec({ gpus: ['MIG-2e7a6c1e-5a4b-5c3d-9e8f-1a2b3c4d5e6f'] })).HostConfig?.DeviceRequests,
    ).toHaveLength(1);
    expect(() => gpuDeviceRequests(['0'])).toThrow(Invalid);
    expect(() => gpuDeviceRequests(['GPU-1; rm -rf /'])).toThrow(Invalid);
  });

  it('refuses a name Docker would reject', () => {
    for (const bad of ['-lead', 'has space', 'slash/name', '', 'x'.repeat(129)])
      expect(() => createOptions(spec({ name: bad }))).toThrow(Invalid);
  });
});
