import { countStatuses, startApi, uniqueIp, type TestApi } from '../support/api';
import { PAAS, PAAS_PASSWORD, paasAccount, paasCall, uniqueName } from '../support/paas';

let api: TestApi;
let call: ReturnType<typeof paasCall>;
beforeAll(async () => {
  // Behind a trusted proxy, so a test can log in from an address of its own (X-Forwarded-For).
  api = await startApi({ TRUST_PROXY: 'true' });
  call = paasCall(api);
});
afterAll(() => api.close());

const register = (body: Record<string, unknown>) => call('POST', '/auth/register', undefined, body);
const newcomer = () => {
  const username = uniqueName('dev').replace(/-/g, '_');
  return {
    username,
    email: `${username}@Example.com`,
    password: PAAS_PASSWORD,
    first_name: 'John',
    last_name: 'Doe',
  };
};
const loginFrom = (ip: string, username: string, password: string) =>
  api.request('POST', `${PAAS}/auth/login`, {
    body: { username, password },
    headers: { 'x-forwarded-for': ip },
  });

describe('paas health', () => {
  it('answers status and version without a token', async () => {
    const res = await api.request('GET', '/paas/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'healthy', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});

describe('paas registration and login', () => {
  it('registers a user in a tenant of its own, logs in, reads and updates /users/me', async () => {
    const who = newcomer();
    const res = await register(who);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'User registered successfully',
      user: {
        id: expect.any(String),
        username: who.username,
        email: who.email.toLowerCase(),
        first_name: 'John',
        last_name: 'Doe',
        role: 'user',
        is_active: true,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });

    const login = await call('POST', '/auth/login', undefined, {
      username: who.username,
      password: who.password,
    });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      token: expect.any(String),
      refresh_token: expect.any(String),
      user: {
        id: res.body.user.id,
        username: who.username,
        email: who.email.toLowerCase(),
        role: 'user',
        is_active: true,
      },
      expires_at: expect.any(String),
    });
    expect(new Date(login.body.expires_at).getTime()).toBeGreaterThan(Date.now());

    const me = await call('GET', '/users/me', login.body.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: res.body.user.id, username: who.username, role: 'user' });
    const tenant = await api.db('paas.tenants').where({ id: me.body.tenant_id }).first();
    expect(tenant).toBeDefined();
    // A second registration gets another tenant.
    const other = newcomer();
    expect((await register(other)).status).toBe(201);
    const otherRow = await api.db('paas.users').where({ username: other.username }).first();
    expect(otherRow.tenant_id).not.toBe(me.body.tenant_id);

    const put = await call('PUT', '/users/me', login.body.token, {
      first_name: 'John',
      last_name: 'Smith',
      email: `smith.${who.email}`,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ last_name: 'Smith', email: `smith.${who.email}`.toLowerCase() });
    expect(put.body).not.toHaveProperty('tenant_id');

    // Another account's email (any case) and a malformed one are 400 naming email; nothing changes.
    const taken = await call('PUT', '/users/me', login.body.token, { email: other.email.toUpperCase() });
    expect(taken.status).toBe(400);
    expect(taken.body).toMatchObject({ error: 'email: already exists', field: 'email' });
    const malformed = await call('PUT', '/users/me', login.body.token, { email: 'nope', last_name: 'X' });
    expect(malformed.body.field).toBe('email');
    const unknown = await call('PUT', '/users/me', login.body.token, { role: 'admin' });
    expect(unknown.body).toMatchObject({ error: 'role: unknown field' });
    expect((await call('GET', '/users/me', login.body.token)).body).toMatchObject({
      last_name: 'Smith',
      role: 'user',
      email: `smith.${who.email}`.toLowerCase(),
    });
  });

  it('refuses a taken username or email (any case), a weak password and bad fields with 400 naming them', async () => {
    const who = newcomer();
    expect((await register(who)).status).toBe(201);
    const sameName = await register({ ...newcomer(), username: who.username.toUpperCase() });
    expect(sameName.status).toBe(400);
    expect(sameName.body).toMatchObject({ error: 'Username or email already exists', field: 'username' });
    const sameEmail = await register({ ...newcomer(), email: who.email.toUpperCase() });
    expect(sameEmail.status).toBe(400);
    expect(sameEmail.body).toMatchObject({ error: 'Username or email already exists', field: 'email' });

    const weak = await register({ ...newcomer(), password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.field).toBe('password');
    const badEmail = await register({ ...newcomer(), email: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error).toMatch(/^email: /);
    const badName = await register({ ...newcomer(), username: 'a b' });
    expect(badName.body).toMatchObject({ field: 'username' });
    const extra = await register({ ...newcomer(), role: 'admin' });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toBe('role: unknown field');
    // No partial write: no tenant without its user.
    const orphans = await api
      .db('paas.tenants as t')
      .leftJoin('paas.users as u', 'u.tenant_id', 't.id')
      .whereNull('u.id')
      .where('t.name', 'like', 'dev_%');
    expect(orphans).toEqual([]);
  });

  it('registers one of several parallel sign-ups with one username', async () => {
    const who = newcomer();
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => register({ ...who, email: `${i}.${who.email}` })),
    );
    expect(countStatuses(answers)).toEqual({ 201: 1, 400: 3 });
    expect(await api.db('paas.users').whereRaw('lower(username) = lower(?)', [who.username])).toHaveLength(1);
  });

  it('has a bootstrap admin (PAAS_ADMIN_USERNAME) in a tenant of its own', async () => {
    const admin = await api.db('paas.users').where({ username: api.config.PAAS_ADMIN_USERNAME }).first();
    expect(admin).toMatchObject({ role: 'admin', is_active: true });
    expect(await api.db('paas.tenants').where({ id: admin.tenant_id }).first()).toMatchObject({
      name: 'platform',
    });
  });

  it('answers 401 Invalid credentials for a wrong password or unknown user, and 401 without a token', async () => {
    const a = await paasAccount(api);
    const wrong = await loginFrom(uniqueIp(), a.username, 'Wrong-Passw0rd!!');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'Invalid credentials' });
    expect((await loginFrom(uniqueIp(), 'nobody-here', PAAS_PASSWORD)).status).toBe(401);
    const none = await call('GET', '/users/me');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: 'Invalid or missing token' });
    expect((await call('GET', '/users/me', 'not.a.jwt')).status).toBe(401);
  });

  it('throttles failed logins per IP and username: 429 with Retry-After, the right password too', async () => {
    const a = await paasAccount(api);
    const ip = uniqueIp();
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await loginFrom(ip, a.username, 'Wrong-Passw0rd!!'));
    expect(countStatuses(answers)).toEqual({ 401: 5, 429: 2 });
    const right = await loginFrom(ip, a.username, PAAS_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(right.body.error).toMatch(/too many failed attempts/);
    // Another address is not held back.
    expect((await loginFrom(uniqueIp(), a.username, PAAS_PASSWORD)).status).toBe(200);
  });
});

describe('paas refresh tokens', () => {
  it('rotates: each refresh token works once, and a reused one revokes the family', async () => {
    const a = await paasAccount(api);
    const first = await call('POST', '/auth/refresh', undefined, { refresh_token: a.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      token: expect.any(String),
      refresh_token: expect.any(String),
      user: { id: a.id, username: a.username, email: expect.any(String), role: 'user' },
      expires_at: expect.any(String),
    });
    expect((await call('GET', '/users/me', first.body.token)).status).toBe(200);

    const replay = await call('POST', '/auth/refresh', undefined, { refresh_token: a.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'Invalid refresh token' });
    // The replay ended the whole family: the newer token is revoked too.
    const newer = await call('POST', '/auth/refresh', undefined, { refresh_token: first.body.refresh_token });
    expect(newer.status).toBe(401);

    expect((await call('POST', '/auth/refresh', undefined, { refresh_token: 'prt_nonsense' })).status).toBe(
      401,
    );
    expect((await call('POST', '/auth/refresh', undefined, {})).status).toBe(400);
  });

  it('answers parallel refreshes of one token with one new pair', async () => {
    const a = await paasAccount(api);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('POST', '/auth/refresh', undefined, { refresh_token: a.refreshToken }),
      ),
    );
    expect(countStatuses(answers)[200]).toBe(1);
  });
});

describe('paas admin', () => {
  it('lists users with limit and offset; only admins (403 otherwise)', async () => {
    const admin = await paasAccount(api, 'admin');
    const user = await paasAccount(api);
    const page = await call('GET', '/admin/users?limit=2&offset=1', admin.token);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ limit: 2, offset: 1, total: expect.any(Number) });
    expect(page.body.users).toHaveLength(2);
    expect(page.body.users[0]).toEqual({
      id: expect.any(String),
      username: expect.any(String),
      email: expect.any(String),
      first_name: expect.any(String),
      last_name: expect.any(String),
      role: expect.stringMatching(/^(user|tenant_admin|admin)$/),
      is_active: expect.any(Boolean),
      tenant_id: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const defaults = await call('GET', '/admin/users', admin.token);
    expect(defaults.body).toMatchObject({ limit: 10, offset: 0 });
    expect((await call('GET', '/admin/users?limit=0', admin.token)).body.field).toBe('limit');
    expect((await call('GET', '/admin/users?limit=abc', admin.token)).status).toBe(400);

    const refused = await call('GET', '/admin/users', user.token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'Insufficient permissions' });
    const tenantAdmin = await paasAccount(api, 'tenant_admin');
    expect((await call('GET', '/admin/users', tenantAdmin.token)).status).toBe(403);
    expect((await call('PUT', `/admin/users/${user.id}/deactivate`, user.token)).status).toBe(403);
    expect(
      (await call('PUT', `/admin/users/${user.id}/role`, tenantAdmin.token, { role: 'admin' })).status,
    ).toBe(403);
  });

  it('changes roles; refuses an unknown role, a malformed or unknown id, and changing its own role', async () => {
    const admin = await paasAccount(api, 'admin');
    const user = await paasAccount(api);
    const res = await call('PUT', `/admin/users/${user.id}/role`, admin.token, { role: 'tenant_admin' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'User role updated successfully' });
    expect((await call('GET', '/users/me', user.token)).body.role).toBe('tenant_admin');

    const bad = await call('PUT', `/admin/users/${user.id}/role`, admin.token, { role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('role');
    const malformed = await call('PUT', '/admin/users/not-a-uuid/role', admin.token, { role: 'user' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('id');
    const unknown = await call('PUT', '/admin/users/00000000-0000-4000-8000-000000000000/role', admin.token, {
      role: 'user',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'User not found' });
    expect((await call('PUT', `/admin/users/${admin.id}/role`, admin.token, { role: 'user' })).status).toBe(
      400,
    );
    expect((await call('PUT', `/admin/users/${admin.id}/deactivate`, admin.token)).status).toBe(400);
  });

  it("deactivation stops the user's tokens at once; login and refresh answer Account is inactive; activation restores", async () => {
    const admin = await paasAccount(api, 'admin');
    const user = await paasAccount(api);
    expect((await call('GET', '/users/me', user.token)).status).toBe(200);

    const off = await call('PUT', `/admin/users/${user.id}/deactivate`, admin.token);
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ message: 'User deactivated successfully' });
    const me = await call('GET', '/users/me', user.token);
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ error: 'Account is inactive' });
    const login = await loginFrom(uniqueIp(), user.username, PAAS_PASSWORD);
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ error: 'Account is inactive' });
    expect(
      (await call('POST', '/auth/refresh', undefined, { refresh_token: user.refreshToken })).status,
    ).toBe(401);

    const on = await call('PUT', `/admin/users/${user.id}/activate`, admin.token);
    expect(on.body).toEqual({ message: 'User activated successfully' });
    expect((await call('GET', '/users/me', user.token)).status).toBe(200);
    expect((await loginFrom(uniqueIp(), user.username, PAAS_PASSWORD)).status).toBe(200);
  });
});
