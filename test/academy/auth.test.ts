import { countStatuses, uniqueIp } from '../support/api';
import { ACADEMY_PASSWORD, academyEmail, useAcademy } from '../support/academy';

// TRUST_PROXY: a test can log in from an address of its own (X-Forwarded-For).
const academy = useAcademy({ TRUST_PROXY: 'true' });
const { call } = academy;

describe('academy accounts', () => {
  it('registers, logs in and logs out: the token stops working at once', async () => {
    const email = academyEmail('reg');
    const reg = await call('POST', '/auth/register', undefined, {
      fullName: 'John Doe',
      email,
      password: 'Weakpassword321',
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toEqual({
      success: true,
      statusCode: 201,
      message: 'Successfully registered a new user account.',
      data: { user: { id: expect.any(Number) } },
      errors: null,
    });
    const login = await call('POST', '/auth/login', undefined, {
      email: email.toUpperCase(),
      password: 'Weakpassword321',
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ statusCode: 200, message: 'Successfully logged in.' });
    const token = login.body.data.accessToken as string;
    const other = (await call('POST', '/auth/login', undefined, { email, password: 'Weakpassword321' })).body
      .data.accessToken;

    const out = await call('POST', '/auth/logout', token);
    expect(out.body).toEqual({
      success: true,
      statusCode: 200,
      message: 'Successfully logged out.',
      data: null,
      errors: null,
    });
    const after = await call('POST', '/auth/logout', token);
    expect(after.status).toBe(401);
    expect(after.body).toEqual({
      success: false,
      statusCode: 401,
      message: 'invalid or expired token',
      data: null,
      errors: [{ field: null, message: 'invalid or expired token', code: 'unauthorized' }],
    });
    // Another session of the same account is not touched by this logout.
    expect((await call('POST', '/auth/logout', other)).status).toBe(200);
  });

  it.each([
    [
      { fullName: 'A', email: 'weak@example.com', password: 'Short1!' },
      'password',
      'must be at least 12 characters',
    ],
    [
      { fullName: 'A', email: 'weak2@example.com', password: 'alllowercaseletters' },
      'password',
      'must mix at least three of: lowercase, uppercase, digits, symbols',
    ],
    [
      { fullName: 'A', email: 'not-an-email', password: ACADEMY_PASSWORD },
      'email',
      'must be an email address',
    ],
    [{ email: 'a@example.com', password: ACADEMY_PASSWORD }, 'fullName', 'is required'],
    [
      { fullName: 'A', email: 'b@example.com', password: ACADEMY_PASSWORD, role: 'Admin' },
      'role',
      'unknown field',
    ],
  ])('refuses a bad registration %j with 400 naming the field', async (body, field, reason) => {
    const res = await call('POST', '/auth/register', undefined, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      statusCode: 400,
      message: `${field}: ${reason}`,
      data: null,
      errors: [{ field, message: reason, code: 'invalid_request' }],
    });
  });

  it('refuses an email already registered (any case) with 409 naming email', async () => {
    const { email } = await academy.learner();
    const res = await call('POST', '/auth/register', undefined, {
      fullName: 'Copy',
      email: email.toUpperCase(),
      password: ACADEMY_PASSWORD,
    });
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'email', message: 'is already registered', code: 'conflict' }]);
  });

  it('answers 401 for a wrong password and 429 after too many failures from one address', async () => {
    const { email } = await academy.learner();
    const ip = uniqueIp();
    const tries = [];
    for (let i = 0; i < 7; i++)
      tries.push(
        await call(
          'POST',
          '/auth/login',
          undefined,
          { email, password: 'Wrong-Passw0rd!' },
          { 'x-forwarded-for': ip },
        ),
      );
    expect(countStatuses(tries)).toEqual({ 401: 5, 429: 2 });
    expect(tries[6].headers.get('retry-after')).toMatch(/^\d+$/);
    expect(tries[6].body).toMatchObject({ success: false, statusCode: 429, data: null });
    // The right password from that address is refused too until the window ends; elsewhere it works.
    expect(
      (
        await call(
          'POST',
          '/auth/login',
          undefined,
          { email, password: ACADEMY_PASSWORD },
          { 'x-forwarded-for': ip },
        )
      ).status,
    ).toBe(429);
    expect((await call('POST', '/auth/login', undefined, { email, password: ACADEMY_PASSWORD })).status).toBe(
      200,
    );
  });

  it('refuses a token past its expiry with 401', async () => {
    const me = await academy.learner();
    await academy
      .api()
      .db('academy.sessions')
      .where({ user_id: me.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    expect((await call('GET', `/users/${me.id}`, me.token)).status).toBe(401);
  });

  it('serves its OpenAPI document with every route it serves', async () => {
    const res = await academy.api().request('GET', '/openapi/academy.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/users/{userId}',
        '/api/v1/programs/{programId}/modules',
      ]),
    );
    expect(res.body.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(res.body.paths['/api/v1/users'].get['x-auth']).toBe('admin');
  });

  it('refuses a missing or unknown bearer token with 401', async () => {
    expect((await call('POST', '/auth/logout')).status).toBe(401);
    expect((await call('POST', '/auth/logout', 'acd_nope')).status).toBe(401);
  });
});
