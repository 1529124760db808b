import { eventually, startApi } from '../support/api';
import { useBilling } from '../support/billing';

const billing = useBilling();
const { call, customer, subscribe, apiKey } = billing;
const B = '/billing';

describe('billing API keys', () => {
  it('shows a key once, stores only its hash, enforces scopes, and ends revoked and rotated keys at once', async () => {
    const c = await customer();
    const other = await customer();
    await subscribe(c.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const key = await apiKey(c.token);
    expect(key.key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(key.prefix).toBe(key.key.slice(0, 12));
    const list = await call('GET', '/api/v1/api-keys', c.token);
    expect(list.body.data).toEqual([
      {
        id: key.id,
        name: 'Production Key',
        prefix: key.prefix,
        scopes: ['usage:write', 'usage:read'],
        created_at: expect.any(String),
      },
    ]);
    expect(
      JSON.stringify(await billing.api.db('billing.api_keys').where({ id: key.id }).first()),
    ).not.toContain(key.key);

    const report = (k: string) =>
      call('POST', '/api/v1/usage/report', k, { event_type: 'api_call', quantity: 1 });
    expect((await report(key.key)).status).toBe(200);
    expect((await report(`${key.key}x`)).status).toBe(401);
    const readOnly = await apiKey(c.token, ['usage:read']);
    expect((await report(readOnly.key)).body).toEqual({
      success: false,
      data: 'this API key lacks the usage:write scope',
      code: 'forbidden',
    });
    expect((await call('GET', '/api/v1/usage/quota-check', readOnly.key)).status).toBe(200);
    expect(
      (await call('PUT', `/api/v1/api-keys/${readOnly.id}`, c.token, { scopes: ['usage:write'] })).body.data
        .scopes,
    ).toEqual(['usage:write']);
    expect((await report(readOnly.key)).status).toBe(200);
    expect(
      (await call('PUT', `/api/v1/api-keys/${readOnly.id}`, c.token, { scopes: ['admin'] })).body,
    ).toMatchObject({ success: false, data: expect.stringMatching(/^scopes\.0: must be one of/) });

    // Another customer cannot see or touch these keys.
    for (const [method, path] of [
      ['PUT', `/api/v1/api-keys/${key.id}`],
      ['DELETE', `/api/v1/api-keys/${key.id}`],
      ['POST', `/api/v1/api-keys/${key.id}/rotate`],
    ])
      expect(
        (await call(method, path, other.token, method === 'PUT' ? { name: 'mine' } : undefined)).status,
      ).toBe(404);

    const rotated = await call('POST', `/api/v1/api-keys/${key.id}/rotate`, c.token);
    expect(rotated.body.data).toEqual({
      id: key.id,
      key: expect.stringMatching(/^sk_live_/),
      prefix: expect.any(String),
      rotated_at: expect.any(String),
    });
    expect((await report(key.key)).status).toBe(401);
    expect((await report(rotated.body.data.key)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, c.token)).body).toEqual({
      success: true,
      data: 'API key revoked successfully',
    });
    expect((await report(rotated.body.data.key)).status).toBe(401);
    expect(
      (await call('GET', '/api/v1/api-keys', c.token)).body.data.map((k: { id: string }) => k.id),
    ).toEqual([readOnly.id]);
  });
});

describe('billing API keys across API processes', () => {
  it('ends a revoked key in every API process at once, though each holds live keys in memory', async () => {
    const second = await startApi();
    try {
      const c = await customer();
      await subscribe(c.id, { quota_tokens: 100_000, quota_requests: 1000 });
      const key = await apiKey(c.token);
      const viaSecond = async () =>
        (
          await second.request('POST', `${B}/api/v1/usage/report`, {
            token: key.key,
            body: { event_type: 'api_call', quantity: 1 },
          })
        ).status;
      expect(await viaSecond()).toBe(200);
      expect(await viaSecond()).toBe(200);
      expect((await call('DELETE', `/api/v1/api-keys/${key.id}`, c.token)).status).toBe(200);
      await eventually(
        async () => ((await viaSecond()) === 401 ? true : undefined),
        10_000,
        'the second process to refuse the revoked key',
      );

      // Deleting the account revokes its keys everywhere too.
      const other = await apiKey(c.token);
      const otherViaSecond = async () =>
        (await second.request('GET', `${B}/api/v1/usage/quota-check`, { token: other.key })).status;
      expect(await otherViaSecond()).toBe(200);
      expect((await call('DELETE', '/api/v1/profile', c.token)).status).toBe(200);
      expect((await call('GET', '/api/v1/usage/quota-check', other.key)).status).toBe(401);
      await eventually(
        async () => ((await otherViaSecond()) === 401 ? true : undefined),
        10_000,
        "the second process to refuse the deleted account's key",
      );
    } finally {
      await second.close();
    }
  });
});
