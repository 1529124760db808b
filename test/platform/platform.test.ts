import { startApi, login, type TestApi } from '../support/api';

const METRICS_TOKEN = 'metrics-token-for-the-suite';
const metricsAuth = { authorization: `Bearer ${METRICS_TOKEN}` };
let api: TestApi;
beforeAll(async () => {
  api = await startApi({ PUBLIC_URL: 'http://api.example.test', METRICS_TOKEN });
});
afterAll(() => api.close());

describe('the platform routes', () => {
  it('GET / lists the mounted products with their base and OpenAPI URLs', async () => {
    const res = await api.request('GET', '/');
    expect(res.status).toBe(200);
    expect(res.body.products).toEqual([
      {
        name: 'panel',
        title: 'Nusantara Panel',
        base_url: 'http://api.example.test/panel',
        openapi_url: 'http://api.example.test/openapi/panel.json',
      },
      {
        name: 'gpu-lab',
        title: 'GPU Lab',
        base_url: 'http://api.example.test/gpu-lab',
        openapi_url: 'http://api.example.test/openapi/gpu-lab.json',
      },
      {
        name: 'billing',
        title: 'Billing',
        base_url: 'http://api.example.test/billing',
        openapi_url: 'http://api.example.test/openapi/billing.json',
      },
      {
        name: 'academy',
        title: 'Academy',
        base_url: 'http://api.example.test/academy',
        openapi_url: 'http://api.example.test/openapi/academy.json',
      },
    ]);
    expect(res.body.docs_url).toBe('http://api.example.test/docs');
    expect(res.body.temporal_ui_url).toBe(api.config.TEMPORAL_UI_URL);
  });

  it('GET /healthz reports the database, Temporal and Docker as up', async () => {
    const res = await api.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    for (const dep of ['database', 'temporal', 'docker'])
      expect([dep, res.body.checks[dep].status]).toEqual([dep, 'up']);
  });

  it('GET /healthz says which dependency is down, with 503 when the core is', async () => {
    const broken = await startApi({
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      DOCKER_HOST: 'unix:///nonexistent.sock',
    });
    try {
      const res = await broken.request('GET', '/healthz');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('down');
      expect(res.body.checks.database.status).toBe('up');
      expect(res.body.checks.temporal.status).toBe('down');
      expect(res.body.checks.docker).toMatchObject({ status: 'down', error: expect.any(String) });
    } finally {
      await broken.close();
    }
  });

  it('GET /metrics counts requests by product and route template, and workflow starts', async () => {
    const token = await login(api);
    await api.request('GET', '/panel/v1/sites/site_0000000000abcd', { token });
    const res = await api.request('GET', '/metrics', { headers: metricsAuth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toMatch(
      /dermaga_http_requests_total\{product="panel",method="GET",route="\/v1\/sites\/:site_id",status="404"\} \d+/,
    );
    expect(res.text).toMatch(
      /dermaga_http_request_duration_seconds_bucket\{le="0.005",product="panel",method="POST",route="\/v1\/auth\/login"\}/,
    );
    expect(res.text).toContain('# TYPE dermaga_workflow_starts_total counter');
  });

  it("GET /metrics, the platform's and billing's, answers 401 without the METRICS_TOKEN bearer", async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-of-some-length' }] as Record<
      string,
      string
    >[]) {
      const platform = await api.request('GET', '/metrics', { headers });
      expect([platform.status, platform.headers.get('content-type'), platform.body]).toEqual([
        401,
        'application/problem+json',
        {
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: 'metrics need Authorization: Bearer <METRICS_TOKEN>',
          code: 'unauthorized',
        },
      ]);
      expect(platform.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      const billing = await api.request('GET', '/billing/metrics', { headers });
      expect([billing.status, billing.body]).toEqual([
        401,
        { success: false, data: 'metrics need Authorization: Bearer <METRICS_TOKEN>', code: 'unauthorized' },
      ]);
    }
    expect((await api.request('GET', '/billing/metrics', { headers: metricsAuth })).text).toContain(
      'dermaga_http_requests_total',
    );
  });

  it('serves no metrics on the API port without METRICS_TOKEN, and serves them on METRICS_PORT', async () => {
    const plain = await startApi();
    const split = await startApi({ METRICS_PORT: '0' });
    try {
      for (const path of ['/metrics', '/billing/metrics'])
        expect([path, (await plain.request('GET', path)).status]).toEqual([path, 404]);
      expect((await split.request('GET', '/metrics')).status).toBe(404);
      const own = await fetch(`${split.metricsUrl}/metrics`);
      expect(own.status).toBe(200);
      expect(await own.text()).toContain('dermaga_http_requests_total');
      expect((await fetch(`${split.metricsUrl}/`)).status).toBe(404);
    } finally {
      await Promise.all([plain.close(), split.close()]);
    }
  });

  it('serves each product OpenAPI document generated from its routes, and the docs page', async () => {
    const doc = await api.request('GET', '/openapi/panel.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.servers).toEqual([{ url: 'http://api.example.test/panel' }]);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/v1/auth/login',
        '/v1/sites',
        '/v1/sites/{site_id}',
        '/v1/jobs/{job_id}',
      ]),
    );
    const create = doc.body.paths['/v1/sites'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/CreateSiteRequest',
    );
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['202', '409', 'default']));
    expect(doc.body.components.schemas.CreateSiteRequest.additionalProperties).toBe(false);

    const page = await api.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/openapi/panel.json');
    const asset = await api.request('GET', '/docs/assets/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
    expect(asset.text.length).toBeGreaterThan(100_000);
    expect((await api.request('GET', '/docs/assets/..%2Fpackage.json')).status).toBe(404);
    expect((await api.request('GET', '/openapi/nope.json')).status).toBe(404);
  });

  it('answers a path no product serves with 404 in the platform envelope (problem details)', async () => {
    const res = await api.request('GET', '/no-such-product/x');
    expect([res.status, res.headers.get('content-type'), res.body]).toEqual([
      404,
      'application/problem+json',
      {
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'no route for GET /no-such-product/x',
        code: 'not_found',
      },
    ]);
  });
});

describe('products mounted by configuration', () => {
  it('serves the panel at / with its document paths verbatim', async () => {
    const root = await startApi({ MOUNTS: 'panel=/', METRICS_TOKEN });
    try {
      const health = await root.request('GET', '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok', service: 'nusantarad', timestamp: expect.any(String) });
      const token = await login(root, 'admin', undefined, '');
      expect((await root.request('GET', '/v1/sites', { token })).status).toBe(200);
      expect((await root.request('GET', '/v1/system/compatibility')).body.target_os).toBe('ubuntu 22.04+');
      expect((await root.request('GET', '/panel/healthz')).status).toBe(404);
      // Platform routes the panel does not have still answer.
      expect((await root.request('GET', '/metrics', { headers: metricsAuth })).status).toBe(200);
      expect((await root.request('GET', '/')).body.products[0].base_url).toBe('http://localhost:0');
    } finally {
      await root.close();
    }
  });

  it('serves nothing of a product left out of MOUNTS', async () => {
    const none = await startApi({ MOUNTS: '' });
    try {
      expect((await none.request('GET', '/panel/healthz')).status).toBe(404);
      expect((await none.request('GET', '/')).body.products).toEqual([]);
    } finally {
      await none.close();
    }
  });
});
