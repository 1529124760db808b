import { login, uniqueDomain, useApi } from '../support/api';
import { waitForSite } from '../support/panel';
import { createPanelUser } from '../support/users';

const t = useApi({ ownAdmin: true });

const logs = (query: string) => t.api.request('GET', `/panel/v1/audit/logs${query}`, { token: t.token });

describe('GET /v1/audit/logs', () => {
  it('shows what an admin did, newest first, filtered by actor, action and target', async () => {
    await t.api.request('POST', '/panel/v1/auth/login', {
      body: { username: t.actor, password: 'wrong-password!' },
    });
    const created = await t.api.request('POST', '/panel/v1/sites', {
      token: t.token,
      body: { domain: uniqueDomain('audit') },
    });
    const siteId = created.body.site.id;
    await waitForSite(t.api, t.token, siteId, 'active');
    await t.api.request('DELETE', `/panel/v1/sites/${siteId}`, { token: t.token });

    const mine = await logs(`?actor=${t.actor}`);
    expect(mine.status).toBe(200);
    expect(mine.body.logs.map((l: { action: string; outcome: string }) => [l.action, l.outcome])).toEqual([
      ['site.delete', 'success'],
      ['site.create', 'success'],
      ['auth.login', 'failure'],
      ['auth.login', 'success'],
    ]);
    expect(mine.body.total).toBe(4);
    expect(mine.body.logs[0]).toEqual({
      id: expect.any(String),
      actor: t.actor,
      action: 'site.delete',
      target: `site:${siteId}`,
      ip: '127.0.0.1',
      outcome: 'success',
      detail: { domain: created.body.site.domain },
      created_at: expect.any(String),
    });

    const byTarget = await logs(`?target=site:${siteId}&action=site.create`);
    expect(byTarget.body.logs.map((l: { action: string }) => l.action)).toEqual(['site.create']);

    const page = await logs(`?actor=${t.actor}&limit=2&offset=2`);
    expect(page.body.logs.map((l: { action: string }) => l.action)).toEqual(['auth.login', 'auth.login']);
    expect(page.body.total).toBe(4);
  });

  it('filters by a time range', async () => {
    const now = new Date();
    const hourAgo = new Date(now.getTime() - 3600_000).toISOString();
    const inRange = await logs(
      `?actor=${t.actor}&from=${hourAgo}&to=${new Date(now.getTime() + 60_000).toISOString()}`,
    );
    expect(inRange.body.total).toBeGreaterThan(0);
    const before = await logs(`?actor=${t.actor}&to=${hourAgo}`);
    expect(before.body).toEqual({ logs: [], total: 0 });
  });

  it('should fail with 400 for a bad range or unknown filter, and 403 for a viewer', async () => {
    const reversed = await logs('?from=2026-02-02T00:00:00Z&to=2026-02-01T00:00:00Z');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toEqual({
      code: 'invalid_request',
      message: 'to: must be after from',
      field: 'to',
    });
    expect((await logs('?from=yesterday')).body.error.field).toBe('from');
    expect((await logs('?user=admin')).body.error.message).toBe('user: unknown field');
    const viewer = await createPanelUser(t.api, 'viewer');
    const res = await t.api.request('GET', '/panel/v1/audit/logs', {
      token: await login(t.api, viewer.username, viewer.password),
    });
    expect(res.status).toBe(403);
  });
});

describe('refusals of sensitive endpoints', () => {
  const refusals = (action: string) =>
    t.api
      .db('platform.audit_log')
      .where({ product: 'panel', actor: t.actor, action })
      .whereNot({ outcome: 'success' })
      .orderBy('id');

  it('writes a failure row for a refused reserved database name and a refused restore path', async () => {
    const reserved = await t.api.request('POST', '/panel/v1/db/databases', {
      token: t.token,
      body: { name: 'mysql' },
    });
    expect(reserved.status).toBe(400);
    expect((await refusals('database.create')).map((r) => [r.outcome, r.ip, r.detail])).toEqual([
      [
        'failure',
        '127.0.0.1',
        { reason: 'invalid_request', message: 'name: is reserved for MariaDB', field: 'name' },
      ],
    ]);

    const traversal = await t.api.request('POST', '/panel/v1/backup/restore', {
      token: t.token,
      body: { file: '../../etc/passwd' },
    });
    expect(traversal.status).toBe(400);
    const [restore] = await refusals('backup.restore');
    expect(restore).toMatchObject({
      outcome: 'failure',
      detail: { reason: 'invalid_request', field: 'file' },
    });
  });

  it('writes one row for a schema refusal, and no second row where the service wrote one', async () => {
    const site = await t.api.request('POST', '/panel/v1/sites', {
      token: t.token,
      body: { domain: 'not a domain' },
    });
    expect(site.status).toBe(400);
    expect((await refusals('site.create')).map((r) => r.detail)).toEqual([
      expect.objectContaining({ reason: 'invalid_request', field: 'domain' }),
    ]);
    const missing = await t.api.request('POST', '/panel/v1/db/users', {
      token: t.token,
      body: { database: 'no_such_db_audit', username: 'audit_u', password: 'Str0ng-Db-Passw0rd!' },
    });
    expect(missing.status).toBe(404);
    expect((await refusals('database.user.create')).map((r) => r.detail.reason)).toEqual(['not_found']);

    // The database service records its own conflicts (with the name): the route adds no second row.
    const name = `audit_dup_${process.pid}_${Date.now().toString(36)}`;
    expect(
      (await t.api.request('POST', '/panel/v1/db/databases', { token: t.token, body: { name } })).status,
    ).toBe(201);
    expect(
      (await t.api.request('POST', '/panel/v1/db/databases', { token: t.token, body: { name } })).status,
    ).toBe(409);
    expect(
      (await refusals('database.create')).filter((r) => r.detail.reason === 'conflict').map((r) => r.detail),
    ).toEqual([{ name, reason: 'conflict' }]);
  });

  it('writes a denied row when a viewer calls an admin action', async () => {
    const viewer = await createPanelUser(t.api, 'viewer');
    const token = await login(t.api, viewer.username, viewer.password);
    const res = await t.api.request('POST', '/panel/v1/backup/run', { token });
    expect(res.status).toBe(403);
    const rows = await t.api
      .db('platform.audit_log')
      .where({ product: 'panel', actor: viewer.username, action: 'backup.run' });
    expect(rows.map((r) => [r.outcome, r.detail])).toEqual([
      ['denied', { reason: 'forbidden', message: 'admin role required' }],
    ]);
  });
});
