import { limitPasswordHashing } from '../../core/crypto';
import {
  ADMIN_PASSWORD,
  countStatuses,
  eventually,
  login,
  startApi,
  uniqueIp,
  type TestApi,
} from '../support/api';
import { createPanelUser } from '../support/users';

let api: TestApi;
beforeAll(async () => {
  // Behind a trusted proxy, so a test can log in from an address of its own (X-Forwarded-For).
  api = await startApi({ TRUST_PROXY: 'true' });
});
afterAll(() => api.close());

const auditFor = (actor: string) =>
  api.db('platform.audit_log').where({ product: 'panel', actor }).orderBy('id');

describe('panel login', () => {
  it('gives the bootstrap admin a token that identifies them', async () => {
    const res = await api.request('POST', '/panel/v1/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^npt_/);
    expect(res.body.user).toEqual({ id: expect.stringMatching(/^usr_/), username: 'admin', role: 'admin' });
    expect(Date.parse(res.body.expires_at)).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);

    const me = await api.request('GET', '/panel/v1/auth/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(res.body.user);
    expect(me.body.expires_at).toBe(res.body.expires_at);
  });

  it('should fail with 401 for a wrong password, and audit it', async () => {
    const { username } = await createPanelUser(api, 'admin');
    const res = await api.request('POST', '/panel/v1/auth/login', {
      body: { username, password: 'wrong-password' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: 'invalid username or password' } });
    const rows = await auditFor(username);
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([['auth.login', 'failure']]);
    expect(rows[0].ip).toBe('127.0.0.1');
  });

  it('blocks an IP+username after 5 failures with 429 and Retry-After, even across an API restart', async () => {
    const { username, password } = await createPanelUser(api, 'admin');
    for (let i = 0; i < 5; i++) {
      const res = await api.request('POST', '/panel/v1/auth/login', {
        body: { username, password: `nope-${i}` },
      });
      expect(res.status).toBe(401);
    }
    const blocked = await api.request('POST', '/panel/v1/auth/login', { body: { username, password } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(250);
    expect(retryAfter).toBeLessThanOrEqual(300);

    const restarted = await startApi();
    try {
      const again = await restarted.request('POST', '/panel/v1/auth/login', { body: { username, password } });
      expect(again.status).toBe(429);
    } finally {
      await restarted.close();
    }
    // Another username from the same IP is not affected.
    const other = await createPanelUser(api, 'admin');
    expect((await api.request('POST', '/panel/v1/auth/login', { body: other })).status).toBe(200);
    expect((await auditFor(username)).filter((r) => r.outcome === 'denied').length).toBe(2);
  });

  it('forgets the failures once the window has passed', async () => {
    const { username, password } = await createPanelUser(api, 'admin');
    for (let i = 0; i < 5; i++)
      await api.request('POST', '/panel/v1/auth/login', { body: { username, password: 'x' } });
    await api
      .db('platform.rate_limit_events')
      .where({ bucket: 'panel.login' })
      .where('key', 'like', `%|${username}`)
      .update({ at: api.db.raw("now() - interval '301 seconds'") });
    expect((await api.request('POST', '/panel/v1/auth/login', { body: { username, password } })).status).toBe(
      200,
    );
  });
});

describe('panel login under a burst', () => {
  const loginFrom = (ip: string, username: string, password: string) =>
    api.request('POST', '/panel/v1/auth/login', {
      body: { username, password },
      headers: { 'x-forwarded-for': ip },
    });

  it('checks only 5 of 10 concurrent wrong passwords for one IP+username; the rest get 429', async () => {
    const { username } = await createPanelUser(api, 'admin');
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginFrom(ip, username, `wrong-${i}`)),
    );
    expect(countStatuses(answers)).toEqual({ 401: 5, 429: 5 });
    const failures = (await auditFor(username)).filter((r) => r.ip === ip);
    expect(failures.filter((r) => r.outcome === 'failure')).toHaveLength(5);
    expect(failures.filter((r) => r.outcome === 'denied')).toHaveLength(5);
  });

  it('answers 200 concurrent wrong passwords for admin from one IP with 5 × 401 and 195 × 429', async () => {
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => loginFrom(ip, 'admin', 'not-the-password')),
    );
    expect(countStatuses(answers)).toEqual({ 401: 5, 429: 195 });
    expect((await loginFrom(uniqueIp(), 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('limits an IP across usernames: of 48 unknown ones at once 20 are checked, 28 get 429', async () => {
    const ip = uniqueIp();
    const { username, password } = await createPanelUser(api, 'admin');
    // A success from the IP gives its attempt back: the burst still gets all 20.
    expect((await loginFrom(ip, username, password)).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 48 }, (_, i) => loginFrom(ip, `nobody-${ip}-${i}`, 'guess')),
    );
    expect(countStatuses(answers)).toEqual({ 401: 20, 429: 28 });
    expect(answers.find((r) => r.status === 429)?.body.error).toEqual({
      code: 'rate_limited',
      message: expect.stringMatching(/^too many failed attempts from this address; try again in \d+ s$/),
    });
    // The address is refused whoever it names; other addresses are not.
    expect((await loginFrom(ip, username, password)).status).toBe(429);
    expect((await loginFrom(uniqueIp(), username, password)).status).toBe(200);
  });

  it('checks only 5 of 10 concurrent wrong current passwords on a password change', async () => {
    const { username, password } = await createPanelUser(api, 'admin');
    const ip = uniqueIp();
    const token = (await loginFrom(ip, username, password)).body.token;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.request('POST', '/panel/v1/auth/change-password', {
          token,
          headers: { 'x-forwarded-for': ip },
          body: { current_password: `wrong-${i}`, new_password: 'Brand-New-Passw0rd' },
        }),
      ),
    );
    expect(countStatuses(answers)).toEqual({ 400: 5, 429: 5 });
  });

  it('asks a login to retry when too many password checks wait, and gives its attempts back', async () => {
    const busy = await startApi({
      TRUST_PROXY: 'true',
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE: '0',
    });
    const loginTo = (ip: string) =>
      busy.request('POST', '/panel/v1/auth/login', {
        body: { username: `nobody-${ip}`, password: 'guess' },
        headers: { 'x-forwarded-for': ip },
      });
    try {
      // Once a lone check gets through, the hashes the API makes as it starts are done.
      await eventually(async () => ((await loginTo(uniqueIp())).status === 401 ? true : undefined));
      const ips = Array.from({ length: 12 }, () => uniqueIp());
      const answers = await Promise.all(ips.map(loginTo));
      const checked = answers.filter((a) => a.status === 401).length;
      const refused = answers.filter((a) => a.status === 429);
      expect(checked).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.length).toBe(12 - checked);
      expect(refused[0].body.error.message).toBe('the server is busy checking passwords; try again in 1 s');
      expect(refused[0].headers.get('retry-after')).toBe('1');
      const counted = await api
        .db('platform.rate_limit_events')
        .where({ bucket: 'panel.login-ip' })
        .whereIn('key', ips);
      expect(counted).toHaveLength(checked);
    } finally {
      await busy.close();
      limitPasswordHashing({
        concurrency: api.config.PASSWORD_HASH_CONCURRENCY,
        queue: api.config.PASSWORD_HASH_QUEUE,
      });
    }
  });
});

describe('panel sessions', () => {
  it('logout revokes that token at once', async () => {
    const { username, password } = await createPanelUser(api, 'admin');
    const token = await login(api, username, password);
    const other = await login(api, username, password);
    expect((await api.request('POST', '/panel/v1/auth/logout', { token })).status).toBe(204);
    const me = await api.request('GET', '/panel/v1/auth/me', { token });
    expect(me.status).toBe(401);
    expect(me.body.error.message).toBe('invalid or expired token');
    expect((await api.request('GET', '/panel/v1/auth/me', { token: other })).status).toBe(200);
    expect((await auditFor(username)).map((r) => r.action)).toContain('auth.logout');
  });

  it('should fail with 401 without a token, with a malformed header, or with an expired token', async () => {
    expect((await api.request('GET', '/panel/v1/auth/me')).body.error.message).toBe('missing bearer token');
    expect(
      (await api.request('GET', '/panel/v1/sites', { headers: { authorization: 'Basic abc' } })).status,
    ).toBe(401);
    const { username, password } = await createPanelUser(api, 'admin');
    const token = await login(api, username, password);
    await api
      .db('panel.sessions')
      .whereIn('user_id', api.db('panel.users').select('id').where({ username }))
      .update({ expires_at: new Date(Date.now() - 1000) });
    const res = await api.request('GET', '/panel/v1/sites', { token });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('invalid or expired token');
  });

  it('should fail with 403 when a viewer calls an admin route, and still let them see who they are', async () => {
    const viewer = await createPanelUser(api, 'viewer');
    const token = await login(api, viewer.username, viewer.password);
    expect((await api.request('GET', '/panel/v1/auth/me', { token })).body.user.role).toBe('viewer');
    // Every route the API document marks admin-only, whatever its body or ids: refused before anything is read.
    const doc = (await api.request('GET', '/openapi/panel.json')).body;
    const adminRoutes = Object.entries(
      doc.paths as Record<string, Record<string, { 'x-auth'?: string }>>,
    ).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op['x-auth'] === 'admin')
        .map(
          ([method, op]) =>
            [
              method.toUpperCase(),
              path.replace(/\{(\w+)_id\}/g, (_, kind) => `${kind}_0000000000abc`),
              op,
            ] as const,
        ),
    );
    expect(adminRoutes.length).toBeGreaterThanOrEqual(18); // the document really lists them (sites, jobs, db, ssl, audit, monitor, update...)
    for (const [method, path] of adminRoutes) {
      const res = await api.request(method, `/panel${path}`, {
        token,
        body: method === 'GET' ? undefined : {},
      });
      expect([method, path, res.status, res.body.error]).toEqual([
        method,
        path,
        403,
        { code: 'forbidden', message: 'admin role required' },
      ]);
    }
  });
});

describe('changing a password', () => {
  it('checks the current one, enforces strength, and signs out every other session', async () => {
    const { username, password } = await createPanelUser(api, 'admin');
    const token = await login(api, username, password);
    const other = await login(api, username, password);
    const change = (body: object) => api.request('POST', '/panel/v1/auth/change-password', { token, body });

    const wrong = await change({ current_password: 'not-it', new_password: 'Brand-New-Passw0rd' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toEqual({
      code: 'invalid_request',
      message: 'current_password: is incorrect',
      field: 'current_password',
    });

    const weak = await change({ current_password: password, new_password: 'short' });
    expect(weak.body.error).toMatchObject({
      field: 'new_password',
      message: 'new_password: must be at least 12 characters',
    });
    const plain = await change({ current_password: password, new_password: 'alllowercaseletters' });
    expect(plain.status).toBe(400);
    expect(plain.body.error.field).toBe('new_password');
    expect((await api.request('GET', '/panel/v1/auth/me', { token: other })).status).toBe(200);

    const ok = await change({ current_password: password, new_password: 'Brand-New-Passw0rd' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ message: 'password changed', revoked_sessions: 1 });
    expect((await api.request('GET', '/panel/v1/auth/me', { token: other })).status).toBe(401);
    expect((await api.request('GET', '/panel/v1/auth/me', { token })).status).toBe(200);
    expect((await api.request('POST', '/panel/v1/auth/login', { body: { username, password } })).status).toBe(
      401,
    );
    await login(api, username, 'Brand-New-Passw0rd');

    const actions = (await auditFor(username)).filter((r) => r.action === 'auth.change_password');
    expect(actions.map((r) => r.outcome)).toEqual(['failure', 'success']);
  });
});
