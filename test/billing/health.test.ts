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

  it('answers an unknown billing path with 404 in the billing envelope', async () => {
    const res = await api.request('GET', '/billing/api/v1/nope');
    expect(res.status).toBe(404);
  });
});
