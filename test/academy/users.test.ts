import { ACADEMY_PASSWORD, academyEmail, useAcademy } from '../support/academy';

const academy = useAcademy();
const { call } = academy;

describe('academy users', () => {
  it('has the bootstrap admin (ACADEMY_ADMIN_EMAIL) once the API has started', async () => {
    const admins = await academy
      .api()
      .db('academy.users')
      .whereRaw('lower(email) = ?', ['admin@academy.local']);
    expect(admins).toEqual([expect.objectContaining({ role: 'Admin', is_active: true, deleted_at: null })]);
  });

  it('an admin lists users by page with search and filters, in the pagination object', async () => {
    const admin = await academy.admin();
    const tag = `Findme${Date.now().toString(36)}`;
    for (const level of ['Basic', 'Premium', 'Premium'])
      expect(
        (
          await call('POST', '/users', admin.token, {
            email: academyEmail(tag.toLowerCase()),
            password: ACADEMY_PASSWORD,
            fullName: `${tag} ${level}`,
            memberLevel: level,
          })
        ).status,
      ).toBe(201);
    const first = await call('GET', `/users?search=${tag}&limit=2`, admin.token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      success: true,
      statusCode: 200,
      message: 'Successfully retrieved all user data.',
      pagination: {
        currentRecords: 2,
        totalRecords: 3,
        currentPage: 1,
        totalPages: 2,
        nextPage: 2,
        prevPage: null,
      },
      errors: null,
    });
    expect(first.body.data.users[0]).toEqual({
      id: expect.any(Number),
      email: expect.stringContaining('@academy.test'),
      fullName: `${tag} Basic`,
      memberLevel: 'Basic',
      role: 'User',
      isActive: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const second = await call('GET', `/users?search=${tag}&limit=2&page=2`, admin.token);
    expect(second.body.pagination).toMatchObject({ currentRecords: 1, nextPage: null, prevPage: 1 });
    const premium = await call('GET', `/users?search=${tag.toLowerCase()}&memberLevel=Premium`, admin.token);
    expect(premium.body.data.users.map((u: { fullName: string }) => u.fullName)).toEqual([
      `${tag} Premium`,
      `${tag} Premium`,
    ]);
    // A wildcard in the search is taken literally.
    expect((await call('GET', '/users?search=%25%25%25', admin.token)).body.pagination.totalRecords).toBe(0);
  });

  it('a learner reads and updates themself, but not admin-only fields', async () => {
    const me = await academy.learner();
    const read = await call('GET', `/users/${me.id}`, me.token);
    expect(read.body).toMatchObject({
      message: 'Successfully retrieved user data.',
      data: { user: { id: me.id, email: me.email, memberLevel: 'Basic', role: 'User' } },
    });
    const patched = await call('PATCH', `/users/${me.id}`, me.token, { fullName: 'Jack Day' });
    expect(patched.body).toMatchObject({
      message: 'Successfully updated user data.',
      data: { user: { id: me.id, fullName: 'Jack Day' } },
    });
    const role = await call('PATCH', `/users/${me.id}`, me.token, { role: 'Admin' });
    expect(role.status).toBe(403);
    expect(role.body.errors).toEqual([
      { field: 'role', message: 'only an admin may change it', code: 'forbidden' },
    ]);
    expect((await call('GET', '/users', me.token)).status).toBe(403);
    expect(
      (
        await call('POST', '/users', me.token, {
          email: academyEmail('x'),
          password: ACADEMY_PASSWORD,
          fullName: 'X',
        })
      ).status,
    ).toBe(403);
  });

  it("a learner on another learner's id gets 404 on every /users/{userId} route", async () => {
    const me = await academy.learner();
    const other = await academy.learner();
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { fullName: 'Hijack' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, `/users/${other.id}`, me.token, body);
      expect([method, res.status, res.body.errors]).toEqual([
        method,
        404,
        [{ field: null, message: 'user not found', code: 'not_found' }],
      ]);
    }
    expect((await call('GET', `/users/${other.id}`, other.token)).body.data.user.fullName).not.toBe('Hijack');
  });

  it('answers 400 naming userId for an id that is not a positive whole number', async () => {
    const me = await academy.learner();
    for (const id of ['abc', '1.5', '0', '99999999999'])
      expect([id, (await call('GET', `/users/${id}`, me.token)).body.errors[0].field]).toEqual([
        id,
        'userId',
      ]);
  });

  it('an admin sets memberLevel and role; changing a password takes the current one and ends other sessions', async () => {
    const admin = await academy.admin();
    const me = await academy.learner();
    const up = await call('PATCH', `/users/${me.id}`, admin.token, { memberLevel: 'Premium', role: 'Admin' });
    expect(up.body.data.user).toMatchObject({ memberLevel: 'Premium', role: 'Admin' });
    const second = await call('POST', '/auth/login', undefined, {
      email: me.email,
      password: ACADEMY_PASSWORD,
    });
    const without = await call('PATCH', `/users/${me.id}`, me.token, { password: 'Another-Passw0rd!' });
    expect(without.body.errors[0].field).toBe('currentPassword');
    const weak = await call('PATCH', `/users/${me.id}`, me.token, {
      password: 'weak',
      currentPassword: ACADEMY_PASSWORD,
    });
    expect(weak.body.errors[0]).toMatchObject({
      field: 'password',
      message: 'must be at least 12 characters',
    });
    const changed = await call('PATCH', `/users/${me.id}`, me.token, {
      password: 'Another-Passw0rd!',
      currentPassword: ACADEMY_PASSWORD,
    });
    expect(changed.status).toBe(200);
    expect((await call('GET', `/users/${me.id}`, me.token)).status).toBe(200);
    expect((await call('GET', `/users/${me.id}`, second.body.data.accessToken)).status).toBe(401);
  });

  it('refuses an email already registered, on create and on update, naming email', async () => {
    const admin = await academy.admin();
    const me = await academy.learner();
    const taken = await academy.learner();
    const created = await call('POST', '/users', admin.token, {
      email: taken.email.toUpperCase(),
      password: ACADEMY_PASSWORD,
      fullName: 'Copy',
    });
    expect([created.status, created.body.errors[0].field]).toEqual([409, 'email']);
    const updated = await call('PATCH', `/users/${me.id}`, me.token, { email: taken.email });
    expect([updated.status, updated.body.errors[0].field]).toEqual([409, 'email']);
  });

  it('a deleted account stops working at once and its email can register again', async () => {
    const me = await academy.learner();
    const del = await call('DELETE', `/users/${me.id}`, me.token);
    expect(del.body).toEqual({
      success: true,
      statusCode: 200,
      message: 'Successfully deleted a user account.',
      data: null,
      errors: null,
    });
    expect((await call('GET', `/users/${me.id}`, me.token)).status).toBe(401);
    expect(
      (await call('POST', '/auth/login', undefined, { email: me.email, password: ACADEMY_PASSWORD })).status,
    ).toBe(401);
    const again = await call('POST', '/auth/register', undefined, {
      fullName: 'Again',
      email: me.email,
      password: ACADEMY_PASSWORD,
    });
    expect(again.status).toBe(201);
    expect(again.body.data.user.id).not.toBe(me.id);
  });

  it('a deactivated account cannot log in and its sessions end', async () => {
    const admin = await academy.admin();
    const me = await academy.learner();
    await call('PATCH', `/users/${me.id}`, admin.token, { isActive: false });
    expect((await call('GET', `/users/${me.id}`, me.token)).status).toBe(401);
    const login = await call('POST', '/auth/login', undefined, {
      email: me.email,
      password: ACADEMY_PASSWORD,
    });
    expect([login.status, login.body.message]).toEqual([
      403,
      'this account is deactivated; ask an administrator',
    ]);
    expect(
      (await call('GET', `/users?isActive=false&search=${encodeURIComponent(me.email)}`, admin.token)).body
        .data.users,
    ).toHaveLength(1);
  });
});
