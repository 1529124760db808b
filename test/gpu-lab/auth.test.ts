import { hashPassword } from '../../core/crypto';
import { newId } from '../../core/ids';
import { countStatuses, startApi, uniqueIp, type TestApi } from '../support/api';

let api: TestApi;
beforeAll(async () => {
  // Behind a trusted proxy, so a test can log in from an address of its own (X-Forwarded-For).
  api = await startApi({ TRUST_PROXY: 'true' });
});
afterAll(() => api.close());

let n = 0;
const email = (label = 'peneliti') =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${n++}@kampus.ac.id`;
const PASSWORD = 'Riset-GPU-Passw0rd';
const post = (path: string, body?: unknown, token?: string) =>
  api.request('POST', `/gpu-lab/api/v1${path}`, { body, token });
const get = (path: string, token?: string) => api.request('GET', `/gpu-lab/api/v1${path}`, { token });

async function researcher() {
  const e = email();
  expect((await post('/auth/register', { name: 'Siti Rahma', email: e, password: PASSWORD })).status).toBe(
    201,
  );
  const login = await post('/auth/login', { email: e, password: PASSWORD });
  expect(login.status).toBe(200);
  return { email: e, ...login.body.data };
}

describe('gpu-lab health', () => {
  it('answers the text the lab clients poll for', async () => {
    const res = await api.request('GET', '/gpu-lab/api/v1/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('API - Connect Succeed');
  });
});

describe('gpu-lab accounts', () => {
  it('registers a researcher, logs in, reads the profile with the access token', async () => {
    const e = email();
    const reg = await post('/auth/register', {
      name: '  Siti Rahma ',
      email: e.toUpperCase(),
      password: PASSWORD,
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toEqual({
      success: true,
      message: 'Registered',
      data: {
        user: {
          id: expect.stringMatching(/^usr_/),
          name: 'Siti Rahma',
          email: e,
          role: 'researcher',
          createdAt: expect.any(String),
        },
      },
    });
    const row = await api.db('gpu_lab.users').where({ id: reg.body.data.user.id }).first();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);

    const login = await post('/auth/login', { email: e, password: PASSWORD });
    expect(login.body.data).toMatchObject({
      accessToken: expect.stringMatching(/^ey/),
      refreshToken: expect.stringMatching(/^rt_/),
      expiresIn: 900,
      user: { email: e },
    });
    const profile = await get('/users/profile', login.body.data.accessToken);
    expect(profile.body).toMatchObject({ success: true, data: { user: { email: e, role: 'researcher' } } });
  });

  it('refuses bad input in its envelope, naming the field, and a second registration of an email', async () => {
    for (const [body, field] of [
      [{ name: 'A', email: 'not-an-email', password: PASSWORD }, 'email'],
      [{ name: '', email: email(), password: PASSWORD }, 'name'],
      [{ name: 'A', email: email(), password: 'short' }, 'password'],
      [{ name: 'A', email: email(), password: PASSWORD, role: 'admin' }, undefined],
    ] as const) {
      const res = await post('/auth/register', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        success: false,
        code: 'invalid_request',
        message: expect.any(String),
      });
      if (field) expect(res.body.field).toBe(field);
    }
    const e = email();
    expect((await post('/auth/register', { name: 'A', email: e, password: PASSWORD })).status).toBe(201);
    const again = await post('/auth/register', { name: 'B', email: e.toUpperCase(), password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      success: false,
      field: 'email',
      message: 'email: is already registered',
    });
  });

  it('lets only admins through the admin login, and refuses wrong passwords with 401 then 429', async () => {
    const r = await researcher();
    const admin = await post('/auth/admin/login', { email: r.email, password: PASSWORD });
    expect(admin.status).toBe(403);
    expect(admin.body).toMatchObject({ success: false, message: 'this account is not an administrator' });

    const adminEmail = email('admin');
    await api.db('gpu_lab.users').insert({
      id: newId('usr'),
      email: adminEmail,
      name: 'Admin',
      password_hash: await hashPassword(PASSWORD),
      role: 'admin',
    });
    const ok = await post('/auth/admin/login', { email: adminEmail, password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.data.user.role).toBe('admin');

    const target = email('victim');
    for (let i = 0; i < 5; i++)
      expect((await post('/auth/login', { email: target, password: 'wrong' })).status).toBe(401);
    const limited = await post('/auth/login', { email: target, password: 'wrong' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('rotates refresh tokens, and a replayed one signs out the whole login', async () => {
    const r = await researcher();
    const first = await post('/auth/refreshToken', { refreshToken: r.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.data.refreshToken).not.toBe(r.refreshToken);
    const second = await post('/auth/refreshToken', { refreshToken: first.body.data.refreshToken });
    expect(second.status).toBe(200);

    // The first token again: someone kept a copy. Its family ends, the newest token included.
    const replay = await post('/auth/refreshToken', { refreshToken: r.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/already used/);
    expect((await post('/auth/refreshToken', { refreshToken: second.body.data.refreshToken })).status).toBe(
      401,
    );

    // Another login of the same user is another family: untouched.
    const other = await post('/auth/login', { email: r.email, password: PASSWORD });
    expect((await post('/auth/refreshToken', { refreshToken: other.body.data.refreshToken })).status).toBe(
      200,
    );
  });

  it('revokes every refresh token of the caller, and refuses bad or missing access tokens', async () => {
    const r = await researcher();
    const other = await post('/auth/login', { email: r.email, password: PASSWORD });
    const revoked = await post('/auth/revokeRefreshTokens', undefined, r.accessToken);
    expect(revoked.body).toEqual({
      success: true,
      message: 'All refresh tokens revoked',
      data: { revoked: 2 },
    });
    for (const t of [r.refreshToken, other.body.data.refreshToken])
      expect((await post('/auth/refreshToken', { refreshToken: t })).status).toBe(401);

    expect((await get('/users/profile')).status).toBe(401);
    expect((await get('/users/profile', `${r.accessToken}x`)).status).toBe(401);
    const forged =
      r.accessToken.split('.').slice(0, 2).join('.') + '.' + Buffer.from('forged').toString('base64url');
    expect((await get('/users/profile', forged)).body).toMatchObject({
      success: false,
      message: 'invalid or expired token',
    });
  });
});

describe('gpu-lab login under a burst', () => {
  const loginFrom = (ip: string, body: { email: string; password: string }) =>
    api.request('POST', '/gpu-lab/api/v1/auth/login', { body, headers: { 'x-forwarded-for': ip } });

  it('checks only 5 of 10 concurrent wrong passwords for one IP+email; the rest get 429', async () => {
    const r = await researcher();
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginFrom(ip, { email: r.email, password: `Wrong-${i}` })),
    );
    expect(countStatuses(answers)).toEqual({ 401: 5, 429: 5 });
    expect(answers.find((a) => a.status === 429)?.body).toEqual({
      success: false,
      code: 'rate_limited',
      message: expect.stringMatching(
        new RegExp(`^too many failed attempts for ${r.email}; try again in \\d+ s$`),
      ),
    });
  });

  it('limits an IP across emails, and other routes keep answering while the burst is checked', async () => {
    const ip = uniqueIp();
    let checked = 0;
    const burst = Array.from({ length: 48 }, () =>
      loginFrom(ip, { email: email('nobody'), password: 'Wrong-Guess-1' }).then((res) => {
        if (res.status === 401) checked++;
        return res;
      }),
    );
    // Once the server is busy with the burst (its first answer is back), read a static file of the
    // docs: file reads need the libuv thread pool that argon2 hashes on.
    await Promise.race(burst);
    const asset = await api.request('GET', '/docs/assets/swagger-ui-bundle.js');
    const checkedBeforeAsset = checked;
    const answers = await Promise.all(burst);
    expect(asset.status).toBe(200);
    expect(countStatuses(answers)).toEqual({ 401: 20, 429: 28 });
    expect(answers.find((a) => a.status === 429)?.body.message).toMatch(
      /^too many failed attempts from this address; try again in \d+ s$/,
    );
    // The file came back while most of the checked logins were still waiting for their hash.
    expect(checkedBeforeAsset).toBeLessThan(10);
  });
});

describe('gpu-lab account administration', () => {
  it('lists and searches accounts, updates and deletes them, refusing while the user has a container', async () => {
    const adminEmail = email('admin');
    await api.db('gpu_lab.users').insert({
      id: newId('usr'),
      email: adminEmail,
      name: 'Admin',
      password_hash: await hashPassword(PASSWORD),
      role: 'admin',
    });
    const admin = (await post('/auth/admin/login', { email: adminEmail, password: PASSWORD })).body.data
      .accessToken;
    const r = await researcher();
    const put = (id: string, body: unknown, token = admin) =>
      api.request('PUT', `/gpu-lab/api/v1/users/${id}`, { token, body });
    const del = (id: string, token = admin) =>
      api.request('DELETE', `/gpu-lab/api/v1/users/${id}`, { token });

    const found = await get(`/users?search=${encodeURIComponent(r.email.toUpperCase())}&limit=5`, admin);
    expect(found.body.data).toMatchObject({ total: 1, users: [{ id: r.user.id, email: r.email }] });
    const page = await get('/users?limit=2&offset=0', admin);
    expect(page.body.data.users).toHaveLength(2);
    expect(page.body.data.total).toBeGreaterThanOrEqual(3);
    expect((await get('/users/dropdown', admin)).body.data.users).toEqual(
      expect.arrayContaining([{ id: r.user.id, name: 'Siti Rahma', email: r.email }]),
    );

    expect((await put(r.user.id, { name: 'Siti R.' })).body.data.user.name).toBe('Siti R.');
    expect((await put(r.user.id, {})).status).toBe(400);
    expect((await put(r.user.id, { email: adminEmail })).body).toMatchObject({
      success: false,
      field: 'email',
    });
    expect((await put(r.user.id, { name: 'x' }, r.accessToken)).status).toBe(403);
    expect((await get('/users', r.accessToken)).status).toBe(403);

    const held = newId('ctr');
    await api.db('gpu_lab.containers').insert({
      id: held,
      name: `held-${held}`,
      owner_id: r.user.id,
      host_id: 'nowhere',
      image: 'x',
      cpus: 1,
      memory_mb: 64,
      workspace: 'w',
      ssh_port: 1,
      jupyter_port: 2,
      jupyter_token_sealed: '-',
      status: 'stopped',
    });
    const refused = await del(r.user.id);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/has 1 container/);
    await api.db('gpu_lab.containers').where({ id: held }).delete();
    expect((await del(r.user.id)).body).toEqual({
      success: true,
      message: 'User deleted',
      data: { deleted: r.user.id },
    });
    expect((await del(r.user.id)).status).toBe(404);
    expect((await post('/auth/login', { email: r.email, password: PASSWORD })).status).toBe(401);
  });
});
