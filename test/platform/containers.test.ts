import { Conflict, Unavailable } from '../../core/errors';
import { createDocker } from '../../core/docker';
import { freePort } from '../../scripts/stack/processes';
import { createContainers, type ContainerSpec } from '../../adapters/containers';
import { ensureTestImage, TEST_IMAGE } from '../support/images';

const docker = createDocker(process.env.DOCKER_HOST);
const containers = createContainers(docker);
const owner = { label: 'dermaga.test', value: `containers-${process.pid}` };
const name = `dermaga-test-${process.pid}-${Date.now().toString(36)}`;
const volume = `${name}-workspace`;

beforeAll(() => ensureTestImage(docker), 60_000);
afterAll(async () => {
  await containers.remove(name);
  await containers.removeVolume(volume);
});

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name,
  image: TEST_IMAGE,
  cmd: ['/bin/httpd', '-f', '-p', '8888', '-h', '/workspace'],
  labels: { [owner.label]: owner.value },
  cpus: 0.5,
  memoryMb: 64,
  volume: { name: volume, mountPath: '/workspace' },
  bindAddress: '127.0.0.1',
  ...over,
});

describe('containers on the real engine', () => {
  it('creates with its limits, serves from its workspace, reports logs and stats, changes a password inside, and is removed', async () => {
    const port = await freePort();
    const { id } = await containers.create(spec({ ports: { 8888: port } }), owner);
    expect((await containers.create(spec({ ports: { 8888: port } }), owner)).id).toBe(id); // a retried create finds its own
    await expect(containers.create(spec(), { label: owner.label, value: 'someone-else' })).rejects.toThrow(
      Conflict,
    );

    await containers.start(name);
    await containers.start(name); // starting a running container is fine
    const seen = await containers.inspect(name);
    expect(seen).toMatchObject({
      id,
      running: true,
      state: 'running',
      ports: { '8888': port },
      labels: { [owner.label]: owner.value },
    });
    const raw = await docker.getContainer(name).inspect();
    expect(raw.HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 64 * 2 ** 20 });

    const wrote = await containers.exec(name, [
      '/bin/sh',
      '-c',
      'echo hello-from-workspace > /workspace/index.html; echo done',
    ]);
    expect(wrote).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    const served = await fetch(`http://127.0.0.1:${port}/index.html`);
    expect(await served.text()).toBe('hello-from-workspace\n');

    await containers.exec(name, ['/bin/sh', '-c', 'echo line-one; echo line-two >&2']);
    // httpd logs nothing by itself; exec output is not the container's log: write to PID 1's stdout instead.
    await containers.exec(name, ['/bin/sh', '-c', 'echo logged-line > /proc/1/fd/1']);
    expect(await containers.logs(name, { tail: 10 })).toContain('logged-line');

    const stats = await containers.stats(name);
    expect(stats.memory.limit_bytes).toBe(64 * 2 ** 20);
    expect(stats.memory.used_bytes).toBeGreaterThan(0);
    expect(stats.pids).toBeGreaterThanOrEqual(1);
    expect(stats.cpu_percent).toBeGreaterThanOrEqual(0);

    // The password goes in on stdin, never in argv; the shadow entry changes from locked to a hash.
    const before = await containers.exec(name, ['/bin/grep', '^lab:', '/etc/shadow']);
    expect(before.stdout).toMatch(/^lab:!:/);
    const changed = await containers.exec(name, ['/bin/chpasswd'], 'lab:N3w-Lab-Passw0rd\n');
    expect(changed.exitCode).toBe(0);
    const after = await containers.exec(name, ['/bin/grep', '^lab:', '/etc/shadow']);
    expect(after.stdout).toMatch(/^lab:\$\d\$[^:]+:/);
    expect(after.stdout).not.toContain('N3w-Lab-Passw0rd');

    await containers.stop(name, 1);
    expect(await containers.inspect(name)).toMatchObject({ running: false, state: 'exited' });
    await containers.stop(name, 1); // stopping a stopped container is fine
    await containers.remove(name);
    expect(await containers.inspect(name)).toBeNull();
    await containers.remove(name); // and removing a removed one
    expect(await docker.getVolume(volume).inspect()).toMatchObject({ Name: volume }); // the workspace outlives the container
    await containers.removeVolume(volume);
    await expect(docker.getVolume(volume).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('says the engine is unavailable, changing nothing, when no engine answers', async () => {
    const down = createContainers(createDocker('unix:///nonexistent/docker.sock'));
    await expect(down.create(spec({ name: `${name}-down` }), owner)).rejects.toThrow(Unavailable);
    await expect(down.inspect(name)).rejects.toThrow(/Docker engine is unavailable/);
  });
});
