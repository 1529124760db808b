import { createDb, migrate } from '../../core/db';
import { ADMIN_PASSWORD, login, startApi, useApi, type TestApi } from '../support/api';

const t = useApi({ ownAdmin: true });

let n = 0;
const uniqueName = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${n++}`;
const PASSWORD = 'Panel-Us3r-Passw0rd!';
const USERNAME_RULE =
  'username: must be 1–64 characters: lowercase letters, digits, ., _ or -, starting with a letter or digit';

const users = (on: TestApi = t.api, token = t.token) => ({
  create: (body: unknown) => on.request('POST', '/panel/v1/users', { token, body }),
  list: (query = '') => on.request('GET', `/panel/v1/users${query}`, { token }),
  remove: (id: string) => on.request('DELETE', `/panel/v1/users/${id}`, { token }),
  reset: (id: string, body: unknown) =>
    on.request('POST', `/panel/v1/users/${id}/reset-password`, { token, body }),
});
const audit = (action: string, target?: string) =>
  t.api
    .db('platform.audit_log')
    .where({ product: 'panel', actor: t.actor, action, ...(target ? { target } : {}) })
    .orderBy('id');
const me = (token: string) => t.api.request('GET', '/panel/v1/auth/me', { token });

describe('panel user management', () => {
  it('an admin creates a viewer, who can sign in but not administer', async () => {
    const username = uniqueName('viewer');
    const res = await users().create({ username, password: PASSWORD, role: 'viewer' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.stringMatching(/^usr_/),
        username,
        role: 'viewer',
        created_at: expect.any(String),
        password_changed_at: null,
      },
    });
    expect(res.text).not.toContain(PASSWORD);

    const token = await login(t.api, username, PASSWORD);
    expect((await me(token)).body.user).toEqual({ id: res.body.user.id, username, role: 'viewer' });
    const sites = await t.api.request('GET', '/panel/v1/sites', { token });
    expect(sites.status).toBe(403);
    expect((await users(t.api, token).list()).status).toBe(403);

    const listed = await users().list('?limit=200');
    expect(listed.status).toBe(200);
    expect(listed.body.users).toContainEqual(res.body.user);
    expect(listed.body.total).toBeGreaterThanOrEqual(2);
    expect(listed.text).not.toMatch(/password_hash|argon2/);

    const [row] = await audit('user.create', `user:${res.body.user.id}`);
    expect(row).toMatchObject({ outcome: 'success', ip: '127.0.0.1', detail: { username, role: 'viewer' } });
    expect(
      JSON.stringify(await t.api.db('platform.audit_log').where({ target: `user:${res.body.user.id}` })),
    ).not.toContain(PASSWORD);
  });

  it('resets a password and signs that user out everywhere', async () => {
    const username = uniqueName('forgot');
    const created = await users().create({ username, password: PASSWORD, role: 'admin' });
    const sessions = [await login(t.api, username, PASSWORD), await login(t.api, username, PASSWORD)];

    const weak = await users().reset(created.body.user.id, { password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toEqual({
      code: 'invalid_request',
      message: 'password: must be at least 12 characters',
      field: 'password',
    });
    for (const token of sessions) expect((await me(token)).status).toBe(200);

    const res = await users().reset(created.body.user.id, { password: 'Fresh-Start-Passw0rd' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'password reset', revoked_sessions: 2 });
    for (const token of sessions) expect((await me(token)).status).toBe(401);
    expect(
      (await t.api.request('POST', '/panel/v1/auth/login', { body: { username, password: PASSWORD } }))
        .status,
    ).toBe(401);
    await login(t.api, username, 'Fresh-Start-Passw0rd');
    expect((await me(t.token)).status).toBe(200); // the admin who reset it stays signed in

    expect(
      (await audit('user.reset_password', `user:${created.body.user.id}`)).map((r) => [r.outcome, r.detail]),
    ).toEqual([
      [
        'failure',
        { reason: 'invalid_request', message: 'password: must be at least 12 characters', field: 'password' },
      ],
      ['success', { username, revoked_sessions: 2 }],
    ]);
    expect((await users().reset('usr_0000000000nothere', { password: 'Fresh-Start-Passw0rd' })).status).toBe(
      404,
    );
  });

  it('deletes a user, whose sessions end at once', async () => {
    const username = uniqueName('leaver');
    const created = await users().create({ username, password: PASSWORD, role: 'viewer' });
    const token = await login(t.api, username, PASSWORD);

    const res = await users().remove(created.body.user.id);
    expect(res.status).toBe(204);
    expect((await me(token)).status).toBe(401);
    expect(
      (await t.api.request('POST', '/panel/v1/auth/login', { body: { username, password: PASSWORD } }))
        .status,
    ).toBe(401);
    expect(
      (await users().list('?limit=200')).body.users.map((u: { username: string }) => u.username),
    ).not.toContain(username);
    expect(
      (await audit('user.delete', `user:${created.body.user.id}`)).map((r) => [r.outcome, r.detail]),
    ).toEqual([['success', { username, role: 'viewer' }]]);

    const again = await users().remove(created.body.user.id);
    expect(again.status).toBe(404);
    expect(again.body.error).toEqual({
      code: 'not_found',
      message: `user ${created.body.user.id} not found`,
    });
  });

  it('should fail with 409 when an admin deletes themselves, audited', async () => {
    const self = (await me(t.token)).body.user;
    const res = await users().remove(self.id);
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'conflict',
      message: 'you cannot delete yourself; another admin can',
    });
    expect((await me(t.token)).status).toBe(200);
    expect((await audit('user.delete', `user:${self.id}`)).map((r) => [r.outcome, r.detail.reason])).toEqual([
      ['failure', 'conflict'],
    ]);
  });

  const bad: [string, Record<string, unknown>, string, string][] = [
    [
      'a weak password',
      { password: 'alllowercaseletters' },
      'password: must mix at least three of: lowercase, uppercase, digits, symbols',
      'password',
    ],
    [
      'a password containing the username',
      { username: 'shopkeeper', password: 'Shopkeeper-Passw0rd' },
      'password: must not contain the username',
      'password',
    ],
    ['an unknown role', { role: 'root' }, 'role: must be one of: admin, viewer', 'role'],
    ['a username with a space', { username: 'two words' }, USERNAME_RULE, 'username'],
    ['an uppercase username', { username: 'Admin' }, USERNAME_RULE, 'username'],
    ['a missing role', { role: undefined }, 'role: is required', 'role'],
    ['an unknown field', { admin: true }, 'admin: unknown field', 'admin'],
  ];
  it.each(bad)(
    'should fail with 400 for %s, creating nothing, audited',
    async (_name, patch, message, field) => {
      const body = { username: uniqueName('bad'), password: PASSWORD, role: 'viewer', ...patch };
      const res = await users().create(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message, field } });
      expect(await t.api.db('panel.users').where({ username: String(body.username) })).toEqual([]);
      const [last] = (await audit('user.create')).reverse();
      expect(last).toMatchObject({ outcome: 'failure', detail: { reason: 'invalid_request', field } });
      expect(JSON.stringify(last)).not.toContain(String(body.password));
    },
  );

  it('should fail with 409 for a taken username, even when two requests race for it', async () => {
    const username = uniqueName('twin');
    const results = await Promise.all(
      [1, 2, 3].map(() => users().create({ username, password: PASSWORD, role: 'viewer' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.error).toEqual({
      code: 'conflict',
      message: 'username: a user with this name already exists',
      field: 'username',
    });
    expect(await t.api.db('panel.users').where({ username })).toHaveLength(1);
  });
});

describe('the last admin', () => {
  // Its own Postgres database, so "the last admin" is really the last one.
  const name = `dermaga_users_${process.pid}_${Date.now().toString(36)}`;
  let lone: TestApi;
  beforeAll(async () => {
    await t.api.db.raw('create database ??', [name]);
    const url = new URL(t.api.config.DATABASE_URL);
    url.pathname = `/${name}`;
    const db = createDb(url.toString());
    await migrate(db);
    await db.destroy();
    lone = await startApi({ DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await lone?.close();
    await t.api.db.raw('drop database if exists ?? with (force)', [name]);
  });

  it('is never deleted, even when two admins delete each other at once', async () => {
    let survivor = { username: 'admin', token: await login(lone, 'admin', ADMIN_PASSWORD) };
    for (let round = 0; round < 5; round++) {
      const username = uniqueName('peer');
      const peer = await users(lone, survivor.token).create({ username, password: PASSWORD, role: 'admin' });
      expect(peer.status).toBe(201);
      const peerToken = await login(lone, username, PASSWORD);
      const survivorId = (await lone.request('GET', '/panel/v1/auth/me', { token: survivor.token })).body.user
        .id;
      const [a, b] = await Promise.all([
        users(lone, survivor.token).remove(peer.body.user.id),
        users(lone, peerToken).remove(survivorId),
      ]);
      const admins = await lone.db('panel.users').where({ role: 'admin' });
      expect(admins).toHaveLength(1);
      expect([a.status, b.status].filter((s) => s === 204)).toHaveLength(1);
      const loser = a.status === 204 ? b : a;
      // 409 "the last admin", or 401 when its session had already gone with its user
      expect([401, 409]).toContain(loser.status);
      survivor = admins[0].username === username ? { username, token: peerToken } : survivor;
    }
  });
});
