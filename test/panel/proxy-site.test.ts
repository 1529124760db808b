import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { fetchSite } from '../support/nginx';
import { waitForSite } from '../support/panel';

let api: TestApi;
let token: string;
let app: http.Server;
let appPort: number;

beforeAll(async () => {
  // The API's own port as configuration says (this one listens on a free port of its own).
  api = await startApi({ PORT: '3999', PANEL_PROXY_DENIED_PORTS: '22,2222' });
  token = await login(api);
  // The operator's app: answers with what nginx passed on.
  app = http.createServer((req, res) =>
    res.end(`app ${req.url} host=${req.headers.host} proto=${req.headers['x-forwarded-proto']}`),
  );
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appPort = (app.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => app.close(r));
  await api.close();
});

const USE_YOURS = 'use the port your app listens on';

describe('a reverse-proxy site', () => {
  it('passes requests to the app on its local port, with the Host and forwarding headers', async () => {
    const domain = uniqueDomain('app');
    const created = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain, runtime: 'proxy', proxy_port: appPort },
    });
    expect(created.status).toBe(202);
    expect(created.body.site).toMatchObject({ runtime: 'proxy', proxy_port: appPort });
    await waitForSite(api, token, created.body.site.id, 'active');

    expect(await fetchSite(domain, '/orders?page=2')).toEqual({
      status: 200,
      body: `app /orders?page=2 host=${domain} proto=http`,
    });
    expect((await fetchSite(domain, '/index.html')).body).toContain(`<h1>${domain}</h1>`); // files in the root come first

    await api.request('DELETE', `/panel/v1/sites/${created.body.site.id}`, { token });
    await waitForSite(api, token, created.body.site.id, 'gone');
    expect((await fetchSite(domain, '/orders')).status).toBe(404);
  });

  it.each([
    ['a proxy site without a port', { runtime: 'proxy' }],
    ['a static site with a port', { runtime: 'static', proxy_port: 3000 }],
  ])('should fail with 400 for %s', async (_name, extra) => {
    const res = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain: uniqueDomain('bad'), ...extra },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'invalid_request',
      message: 'proxy_port: is required for runtime proxy, and only for it',
      field: 'proxy_port',
    });
  });

  it.each([
    ['Temporal', () => Number(api.config.TEMPORAL_ADDRESS.split(':').pop())],
    ['Temporal UI', () => Number(new URL(api.config.TEMPORAL_UI_URL).port || 80)],
    ['the API', () => 3999],
    ['Postgres', () => Number(new URL(api.config.DATABASE_URL).port)],
    ['MariaDB', () => Number(new URL(api.config.PANEL_MYSQL_URL).port)],
    ['nginx', () => Number(api.config.PANEL_NGINX_LISTEN.split(':').pop())],
    ['PANEL_PROXY_DENIED_PORTS', () => 2222],
  ])("should fail with 400 for a port of the platform's own: %s", async (name, port) => {
    const res = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain: uniqueDomain('own'), runtime: 'proxy', proxy_port: port() },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'invalid_request',
      message: `proxy_port: ${port()} is one of the platform's own ports (${name}); ${USE_YOURS}`,
      field: 'proxy_port',
    });
  });

  it('should fail with 400 for a port out of range', async () => {
    const res = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain: uniqueDomain('bad'), runtime: 'proxy', proxy_port: 70000 },
    });
    expect(res.body.error.field).toBe('proxy_port');
  });
});
