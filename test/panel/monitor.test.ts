import { existsSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { login, startApi, useApi, type TestApi } from '../support/api';
import { createPanelUser } from '../support/users';

const t = useApi();

const meminfo = (key: string) =>
  Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;
type Service = { name: string; status: string; method: string; detail?: string };
const services = async (api: TestApi = t.api, token = t.token) =>
  (await api.request('GET', '/panel/v1/monitor/services', { token })).body;
const serviceNamed = (body: { services: Service[] }, name: string) =>
  body.services.find((s) => s.name === name) as Service;

describe('GET /v1/monitor/host', () => {
  it("reports this host's CPU, memory, swap, disks and uptime", async () => {
    const res = await t.api.request('GET', '/panel/v1/monitor/host', { token: t.token });
    expect(res.status).toBe(200);
    const h = res.body;
    expect(h.hostname).toBe(os.hostname());
    expect(h.cpu.cores).toBe(os.cpus().length);
    expect(h.cpu.usage_percent).toBeGreaterThanOrEqual(0);
    expect(h.cpu.usage_percent).toBeLessThanOrEqual(100);
    expect(Object.keys(h.cpu.load)).toEqual(['1m', '5m', '15m']);
    expect(h.memory.total_bytes).toBe(meminfo('MemTotal'));
    expect(h.memory.used_bytes + h.memory.available_bytes).toBe(h.memory.total_bytes);
    expect(h.swap.total_bytes).toBe(meminfo('SwapTotal'));
    const root = await statfs('/');
    const rootDisk = h.disks.find((d: { mount: string }) => d.mount === '/');
    expect(rootDisk.total_bytes).toBe(root.blocks * root.bsize);
    expect(Math.abs(h.uptime_seconds - os.uptime())).toBeLessThan(5);
  });
});

describe('GET /v1/monitor/services', () => {
  it('says how it checked, and reports nginx and the worker as they really are', async () => {
    const body = await services();
    expect(body.method).toBe(existsSync('/run/systemd/system') ? 'systemctl' : 'process-table');
    expect(body.services.map((s: Service) => s.name)).toEqual([
      'nginx',
      'mariadb',
      'php-fpm',
      'dermaga-worker',
    ]);
    const nginxMaster = readFileSync(process.env.PANEL_NGINX_PID_FILE as string, 'utf8').trim();
    expect(serviceNamed(body, 'nginx')).toMatchObject({ status: 'active' });
    if (body.method === 'process-table') expect(serviceNamed(body, 'nginx').detail).toContain(nginxMaster);
    expect(serviceNamed(body, 'dermaga-worker')).toMatchObject({
      status: 'active',
      method: 'temporal-pollers',
    });

    const lonely = await startApi({ HOST_ID: `nobody-${process.pid}` });
    try {
      const worker = serviceNamed(await services(lonely, await login(lonely)), 'dermaga-worker');
      expect(worker).toMatchObject({
        status: 'inactive',
        detail: `no worker polls dermaga-host-nobody-${process.pid}`,
      });
    } finally {
      await lonely.close();
    }
  });

  it("finds the stack's PHP-FPM master by its pid", async () => {
    const php = serviceNamed(await services(), 'php-fpm');
    expect(php.status).toBe('active');
    if (php.method === 'process-table') {
      expect(php.detail).toContain(readFileSync(process.env.PANEL_PHP_FPM_PID_FILE as string, 'utf8').trim());
    }
  });

  it('refuses a viewer with 403', async () => {
    const viewer = await createPanelUser(t.api, 'viewer');
    const token = await login(t.api, viewer.username, viewer.password);
    for (const p of ['/panel/v1/monitor/host', '/panel/v1/monitor/services'])
      expect((await t.api.request('GET', p, { token })).status).toBe(403);
  });
});
