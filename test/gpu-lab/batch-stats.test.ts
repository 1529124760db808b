import { createContainers } from '../../adapters/containers';
import { createContainerHostActivities } from '../../activities/gpu-lab/container-host';
import { createDocker } from '../../core/docker';
import { createSecretBox, newSecretKey } from '../../core/secret-box';
import { ensureTestImage, TEST_IMAGE } from '../support/images';

const docker = createDocker(process.env.DOCKER_HOST);
const containers = createContainers(docker);
const host = createContainerHostActivities({
  docker,
  containers,
  secrets: createSecretBox(newSecretKey()),
  hostId: 'batch',
  bindAddress: '127.0.0.1',
  stopTimeoutSec: 1,
});
const names = [0, 1, 2].map((i) => `batch-${process.pid}-${Date.now().toString(36)}-${i}`);

beforeAll(async () => {
  await ensureTestImage(docker);
  for (const name of names) {
    await containers.create(
      {
        name,
        image: TEST_IMAGE,
        cmd: ['/bin/sleep', '600'],
        labels: { 'dermaga.test': 'batch' },
        cpus: 0.1,
        memoryMb: 16,
      },
      { label: 'dermaga.test', value: 'batch' },
    );
    await containers.start(name);
  }
}, 60_000);
afterAll(async () => {
  for (const name of names) await containers.remove(name);
});

describe('batch stats', () => {
  it('samples every container concurrently and reports the ones that fail or miss the budget, without waiting on them', async () => {
    const all = await host.batchStats({ names: [...names, 'batch-no-such-container'], budgetMs: 10_000 });
    for (const name of names)
      expect(all[name]).toMatchObject({ memory: { limit_bytes: 16 * 2 ** 20 }, pids: 1 });
    expect(all['batch-no-such-container']).toEqual({ error: expect.stringMatching(/no such container/i) });

    const hurried = await host.batchStats({ names, budgetMs: 1 });
    for (const name of names) expect(hurried[name]).toEqual({ error: 'no answer within 1 ms' });
  });
});
