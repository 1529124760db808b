import { loadConfig } from '../../core/config';
import { createDb, migrate } from '../../core/db';
import { startApi, type TestApi } from '../support/api';
import { ACADEMY, ACADEMY_PASSWORD, academyEmail } from '../support/academy';

const BOOTSTRAP_PASSWORD = 'Academy-Bootstrap-Passw0rd!';

// Its own Postgres database, so "the last admin" is really the last one, and the bootstrap admin
// is created there with the configured password.
const name = `dermaga_academy_${process.pid}_${Date.now().toString(36)}`;
let lone: TestApi;
// The suite's database server, where this file's own database is made and dropped.
const server = createDb(loadConfig().DATABASE_URL);
beforeAll(async () => {
  await server.raw('create database ??', [name]);
  const url = new URL(loadConfig().DATABASE_URL);
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  await migrate(db);
  await db.destroy();
  lone = await startApi({ DATABASE_URL: url.toString(), ACADEMY_BOOTSTRAP_PASSWORD: BOOTSTRAP_PASSWORD });
});
afterAll(async () => {
  await lone?.close();
  await server.raw('drop database if exists ?? with (force)', [name]);
  await server.destroy();
});

const call = (method: string, path: string, token?: string, body?: unknown) =>
  lone.request(method, `${ACADEMY}${path}`, { token, body });
async function login(email: string, password: string) {
  const res = await call('POST', '/auth/login', undefined, { email, password });
  expect(res.status).toBe(200);
  return res.body.data.accessToken as string;
}

describe('the last academy admin', () => {
  it('is the bootstrap admin, with ACADEMY_BOOTSTRAP_PASSWORD, and cannot remove itself', async () => {
    const token = await login('admin@academy.local', BOOTSTRAP_PASSWORD);
    const me = (await call('GET', '/users?role=Admin', token)).body.data.users;
    expect(me).toEqual([expect.objectContaining({ email: 'admin@academy.local', role: 'Admin' })]);
    const id = me[0].id;
    for (const [method, body, field, message] of [
      ['DELETE', undefined, null, 'the last active admin cannot be deleted'],
      ['PATCH', { role: 'User' }, 'role', 'role: the last active admin cannot be demoted'],
      ['PATCH', { isActive: false }, 'isActive', 'isActive: the last active admin cannot be deactivated'],
    ] as const) {
      const res = await call(method, `/users/${id}`, token, body);
      expect([res.status, res.body.message, res.body.errors[0].field]).toEqual([409, message, field]);
    }
  });

  it('stays, even when two admins demote each other at once', async () => {
    let survivor = { id: 0, token: await login('admin@academy.local', BOOTSTRAP_PASSWORD) };
    survivor.id = (await call('GET', '/users?role=Admin', survivor.token)).body.data.users[0].id;
    for (let round = 0; round < 4; round++) {
      const email = academyEmail('peer');
      const peer = await call('POST', '/users', survivor.token, {
        email,
        password: ACADEMY_PASSWORD,
        fullName: 'Peer',
        role: 'Admin',
      });
      expect(peer.status).toBe(201);
      const peerToken = await login(email, ACADEMY_PASSWORD);
      const [a, b] = await Promise.all([
        call('PATCH', `/users/${peer.body.data.user.id}`, survivor.token, { role: 'User' }),
        call('PATCH', `/users/${survivor.id}`, peerToken, { role: 'User' }),
      ]);
      const admins = await lone
        .db('academy.users')
        .where({ role: 'Admin', is_active: true })
        .whereNull('deleted_at');
      expect(admins).toHaveLength(1);
      // One demotion wins; the other is refused: 409, or 404 when its caller was already a
      // learner when it was let in (another account's id, to a learner, does not exist).
      expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
      expect([404, 409]).toContain((a.status === 200 ? b : a).status);
      if (admins[0].id !== survivor.id) survivor = { id: admins[0].id, token: peerToken };
    }
  });
});
