import { startApi, type TestApi } from '../support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
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
      data: { database: 'OK', temporal: 'OK', uptime: expect.stringMatching(/^\d+h$/) },
    });
  });

  it('serves Prometheus metrics from the platform registry', async () => {
    const res = await api.request('GET', '/billing/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toContain('dermaga_http_requests_total');
  });
});
