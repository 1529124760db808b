import { startApi, type TestApi } from '../support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ METRICS_TOKEN: 'billing-health-metrics-token' });
});
afterAll(() => api.close());

describe('billing health', () => {
  it('answers the basic check in the contract envelope', async () => {
    const res = await api.request('GET', '/billing/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: 'OK' });
  });

  it('lists the dependencies billing really has', async () => {
    const res = await api.request('GET', '/billing/health/detailed');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { database: 'OK', temporal: 'OK', stripe: 'OK', uptime: expect.stringMatching(/^\d+h$/) },
    });
  });

  it('says which dependency is down, with 503', async () => {
    const broken = await startApi({ STRIPE_API_BASE: 'http://127.0.0.1:1' });
    try {
      const res = await broken.request('GET', '/billing/health/detailed');
      expect(res.status).toBe(503);
      expect(res.body.data).toMatchObject({ database: 'OK', temporal: 'OK', stripe: 'DOWN' });
    } finally {
      await broken.close();
    }
  });

  it('serves Prometheus metrics from the platform registry to the METRICS_TOKEN bearer', async () => {
    const res = await api.request('GET', '/billing/metrics', {
      headers: { authorization: 'Bearer billing-health-metrics-token' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('dermaga_http_requests_total');
  });
});
