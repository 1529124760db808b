import net from 'node:net';
import { createConnection, type Connection } from 'mysql2/promise';
import { login, startApi, type TestApi } from '../support/api';
import { createPanelUser } from '../support/users';

let api: TestApi;
let token: string;
let actor: string;
let root: Connection; // Dermaga's own MariaDB account, to look at the server behind the API's back
beforeAll(async () => {
  api = await startApi();
  const admin = await createPanelUser(api, 'admin');
  actor = admin.username;
  token = await login(api, admin.username, admin.password);
  root = await createConnection(api.config.PANEL_MYSQL_URL);
});
afterAll(async () => {
  await root.end();
  await api.close();
});

let n = 0;
/** A database or user name no other test uses (letters, digits, _ only). */
const unique = (label: string) => `${label}_${process.pid}_${Date.now().toString(36)}_${n++}`;
const PASSWORD = 'Str0ng-Db-Passw0rd!';

const createDb = (body: unknown, as = token) =>
  api.request('POST', '/panel/v1/db/databases', { token: as, body });
const createUser = (body: unknown, as = token) =>
  api.request('POST', '/panel/v1/db/users', { token: as, body });
const deleteDb = (name: string, as = token, on = api) =>
  on.request('DELETE', `/panel/v1/db/databases/${name}`, { token: as });
const deleteUser = (username: string, host?: string, as = token, on = api) =>
  on.request('DELETE', `/panel/v1/db/users/${username}${host ? `?host=${encodeURIComponent(host)}` : ''}`, {
    token: as,
  });

/** Rows that a refused request must leave untouched, and what MariaDB has. */
const counts = async () => {
  const [dbs, users] = await Promise.all([
    api.db('panel.databases').count('* as n').first(),
    api.db('panel.database_users').count('* as n').first(),
  ]);
  const [onServer] = await root.query('SHOW DATABASES');
  const [accounts] = await root.query('SELECT COUNT(*) AS n FROM mysql.user');
  return {
    databases: Number(dbs?.n),
    users: Number(users?.n),
    onServer: (onServer as unknown[]).length,
    accounts: (accounts as { n: number }[])[0].n,
  };
};

/** Logs in to MariaDB as a user the panel created. */
const connectAs = (user: string, password: string, database?: string) =>
  createConnection({
    host: '127.0.0.1',
    port: Number(new URL(api.config.PANEL_MYSQL_URL).port),
    user,
    password,
    database,
  });

describe('POST /v1/db/databases and /v1/db/users', () => {
  it('creates a database and a user who can use that database and no other', async () => {
    const name = unique('app_db');
    const created = await createDb({ name });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      database: {
        id: expect.stringMatching(/^db_/),
        name,
        on_server: true,
        users: [],
        created_at: expect.any(String),
      },
    });
    // Another database, and one whose name `app_db` would match if the grant's _ were a wildcard.
    const other = unique('other_db');
    const lookalike = name.replace('_', 'x');
    for (const n of [other, lookalike]) expect((await createDb({ name: n })).status).toBe(201);

    const username = unique('u');
    const user = await createUser({ database: name, username, password: PASSWORD, host: '127.0.0.1' });
    expect(user.status).toBe(201);
    expect(user.body).toEqual({
      user: {
        id: expect.stringMatching(/^dbu_/),
        database: name,
        username,
        host: '127.0.0.1',
        created_at: expect.any(String),
      },
    });

    const conn = await connectAs(username, PASSWORD, name);
    try {
      await conn.query('CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(50))');
      await conn.query('INSERT INTO notes VALUES (?, ?)', [1, 'halo']);
      const [rows] = await conn.query('SELECT id, body FROM notes');
      expect(rows).toEqual([{ id: 1, body: 'halo' }]);
      const [visible] = await conn.query('SHOW DATABASES');
      expect((visible as { Database: string }[]).map((r) => r.Database).sort()).toEqual(
        ['information_schema', name].sort(),
      );
      for (const forbidden of [other, lookalike, 'mysql']) {
        await expect(conn.query(`CREATE TABLE \`${forbidden}\`.stolen (id INT)`)).rejects.toMatchObject({
          code: 'ER_TABLEACCESS_DENIED_ERROR',
        });
        await expect(conn.query(`USE \`${forbidden}\``)).rejects.toMatchObject({
          code: 'ER_DBACCESS_DENIED_ERROR',
        });
      }
      await expect(conn.query('CREATE DATABASE mine_too')).rejects.toMatchObject({
        code: 'ER_DBACCESS_DENIED_ERROR',
      });
    } finally {
      await conn.end();
    }
    await expect(connectAs(username, 'Wr0ng-Passw0rd!x', name)).rejects.toMatchObject({
      code: 'ER_ACCESS_DENIED_ERROR',
    });

    const list = await api.request('GET', '/panel/v1/db/databases?limit=200', { token });
    expect(list.status).toBe(200);
    expect(list.body.databases.find((d: { name: string }) => d.name === name)).toEqual({
      id: created.body.database.id,
      name,
      on_server: true,
      users: [{ id: user.body.user.id, username, host: '127.0.0.1', created_at: user.body.user.created_at }],
      created_at: created.body.database.created_at,
    });
    expect(list.body.total).toBeGreaterThanOrEqual(3);
  });

  it('writes an audit row for each create, and the password appears nowhere but in MariaDB', async () => {
    const name = unique('audited');
    const db = await createDb({ name });
    const username = unique('audit_u');
    const password = 'Secr3t-Only-For-MariaDB!';
    const user = await createUser({ database: name, username, password });
    expect(user.status).toBe(201);
    expect(user.body.user.host).toBe('localhost');
    expect(user.text).not.toContain(password);

    const rows = await api
      .db('platform.audit_log')
      .where({ actor })
      .whereIn('action', ['database.create', 'database.user.create'])
      .orderBy('id');
    const mine = rows.filter(
      (r) =>
        r.target === `database:${db.body.database.id}` || r.target === `database_user:${user.body.user.id}`,
    );
    expect(mine.map((r) => ({ action: r.action, ip: r.ip, outcome: r.outcome, detail: r.detail }))).toEqual([
      { action: 'database.create', ip: '127.0.0.1', outcome: 'success', detail: { name } },
      {
        action: 'database.user.create',
        ip: '127.0.0.1',
        outcome: 'success',
        detail: { database: name, username, host: 'localhost' },
      },
    ]);
    const everything = JSON.stringify([
      await api.db('platform.audit_log').select(),
      await api.db('panel.databases').select(),
      await api.db('panel.database_users').select(),
    ]);
    expect(everything).not.toContain(password);
    const audits = await api.request(
      'GET',
      `/panel/v1/audit/logs?target=database_user:${user.body.user.id}`,
      { token },
    );
    expect(audits.text).not.toContain(password);
  });

  it('should fail with 409 for a database or user that already exists, writing nothing', async () => {
    const name = unique('dup_db');
    expect((await createDb({ name })).status).toBe(201);
    const username = unique('dup_u');
    expect((await createUser({ database: name, username, password: PASSWORD, host: '%' })).status).toBe(201);

    // Made outside the panel: MariaDB refuses, and the panel row written before it rolls back.
    const outside = unique('outside');
    await root.query('CREATE DATABASE ??', [outside]);
    const outsider = unique('outsider');
    await root.query('CREATE USER ?@? IDENTIFIED BY ?', [outsider, '%', PASSWORD]);

    const before = await counts();
    const again = await createDb({ name });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'conflict',
      message: 'name: a database with this name already exists',
      field: 'name',
    });
    const onServer = await createDb({ name: outside });
    expect(onServer.status).toBe(409);
    expect(onServer.body.error).toEqual({
      code: 'conflict',
      message: `name: database ${outside} already exists on the MariaDB server`,
      field: 'name',
    });

    const twice = await createUser({ database: name, username, password: PASSWORD, host: '%' });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toEqual({
      code: 'conflict',
      message: 'username: a user with this name and host already exists',
      field: 'username',
    });
    const theirs = await createUser({ database: name, username: outsider, password: PASSWORD, host: '%' });
    expect(theirs.status).toBe(409);
    expect(theirs.body.error).toEqual({
      code: 'conflict',
      message: `username: user ${outsider}@% already exists on the MariaDB server`,
      field: 'username',
    });
    expect(await counts()).toEqual(before);

    // The outsider's account was not touched: its password still works and it still has no grant.
    const conn = await connectAs(outsider, PASSWORD);
    await expect(conn.query(`USE \`${name}\``)).rejects.toMatchObject({ code: 'ER_DBACCESS_DENIED_ERROR' });
    await conn.end();

    const failures = await api
      .db('platform.audit_log')
      .where({ actor, outcome: 'failure' })
      .whereIn('action', ['database.create', 'database.user.create']);
    expect(failures.map((r) => [r.action, r.detail.reason])).toEqual(
      expect.arrayContaining([
        ['database.create', 'conflict'],
        ['database.user.create', 'conflict'],
      ]),
    );
  });

  it('shows a database dropped outside the panel as no longer on the server', async () => {
    const name = unique('dropped');
    expect((await createDb({ name })).status).toBe(201);
    await root.query('DROP DATABASE ??', [name]);
    const list = await api.request('GET', '/panel/v1/db/databases?limit=200', { token });
    expect(list.body.databases.find((d: { name: string }) => d.name === name).on_server).toBe(false);
  });
});

const onServer = async (name: string) =>
  ((await root.query('SHOW DATABASES LIKE ?', [name]))[0] as unknown[]).length > 0;
const accountExists = async (username: string, host: string) =>
  (
    (
      await root.query('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [username, host])
    )[0] as unknown[]
  ).length > 0;
const auditOf = (target: string) =>
  api.db('platform.audit_log').where({ product: 'panel', target }).orderBy('id');

describe('DELETE /v1/db/databases/{name} and /v1/db/users/{username}', () => {
  it('drops a user on the server and in the panel, audited', async () => {
    const name = unique('keep_db');
    expect((await createDb({ name })).status).toBe(201);
    const username = unique('gone_u');
    const user = await createUser({ database: name, username, password: PASSWORD, host: '127.0.0.1' });
    expect(user.status).toBe(201);

    const res = await deleteUser(username, '127.0.0.1');
    expect(res.status).toBe(204);
    expect(await accountExists(username, '127.0.0.1')).toBe(false);
    expect(await onServer(name)).toBe(true);
    const list = await api.request('GET', '/panel/v1/db/databases?limit=200', { token });
    expect(list.body.databases.find((d: { name: string }) => d.name === name).users).toEqual([]);
    expect(
      (await auditOf(`database_user:${user.body.user.id}`)).map((r) => [
        r.action,
        r.outcome,
        r.actor,
        r.detail,
      ]),
    ).toEqual([
      ['database.user.create', 'success', actor, { database: name, username, host: '127.0.0.1' }],
      ['database.user.delete', 'success', actor, { database: name, username, host: '127.0.0.1' }],
    ]);

    const again = await deleteUser(username, '127.0.0.1');
    expect(again.status).toBe(404);
    expect(again.body.error).toEqual({
      code: 'not_found',
      message: `database user ${username}@127.0.0.1 not found`,
    });
  });

  it('drops a database with its users, audited', async () => {
    const name = unique('gone_db');
    const created = await createDb({ name });
    const username = unique('its_u');
    expect((await createUser({ database: name, username, password: PASSWORD })).status).toBe(201);

    const res = await deleteDb(name);
    expect(res.status).toBe(204);
    expect(await onServer(name)).toBe(false);
    expect(await accountExists(username, 'localhost')).toBe(false);
    expect(await api.db('panel.databases').where({ name }).first()).toBeUndefined();
    expect(await api.db('panel.database_users').where({ username }).first()).toBeUndefined();
    const [row] = (await auditOf(`database:${created.body.database.id}`)).filter(
      (r) => r.action === 'database.delete',
    );
    expect(row).toMatchObject({
      actor,
      outcome: 'success',
      ip: '127.0.0.1',
      detail: { name, users: [`${username}@localhost`] },
    });

    expect((await deleteDb(name)).body.error).toEqual({
      code: 'not_found',
      message: `database ${name} not found`,
    });
  });

  it('forgets a database that was already dropped outside the panel', async () => {
    const name = unique('dropped_before');
    expect((await createDb({ name })).status).toBe(201);
    await root.query('DROP DATABASE ??', [name]);
    expect((await deleteDb(name)).status).toBe(204);
    expect(await api.db('panel.databases').where({ name }).first()).toBeUndefined();
  });

  it('should fail with 404 for a database or account the panel did not create, leaving it', async () => {
    const outside = unique('not_ours');
    await root.query('CREATE DATABASE ??', [outside]);
    const res = await deleteDb(outside);
    expect(res.status).toBe(404);
    expect(await onServer(outside)).toBe(true);
    expect((await deleteUser('root', 'localhost')).status).toBe(404);
    expect(await accountExists('root', 'localhost')).toBe(true);
    await root.query('DROP DATABASE ??', [outside]);
  });

  it('should fail with 409 while a backup of this host runs, changing nothing, audited', async () => {
    // A host no worker serves: its backup starts and waits for the host, so it is running throughout.
    const busy = await startApi({ HOST_ID: `busy-${process.pid}` });
    const name = unique('busy_db');
    expect((await createDb({ name })).status).toBe(201);
    const username = unique('busy_u');
    expect((await createUser({ database: name, username, password: PASSWORD })).status).toBe(201);
    try {
      const busyToken = await login(busy, actor, 'Another-Passw0rd!');
      const run = await busy.request('POST', '/panel/v1/backup/run', { token: busyToken });
      expect(run.status).toBe(202);
      const job = await api.db('platform.jobs').where({ id: run.body.job_id }).first();
      try {
        const before = await counts();
        const db = await deleteDb(name, busyToken, busy);
        expect(db.status).toBe(409);
        expect(db.body.error).toEqual({
          code: 'conflict',
          message: `a backup is running (job ${job.id}); delete when it has finished`,
        });
        const user = await deleteUser(username, 'localhost', busyToken, busy);
        expect(user.status).toBe(409);
        expect(await counts()).toEqual(before);
        expect(await onServer(name)).toBe(true);
        const refusals = await api
          .db('platform.audit_log')
          .where({ actor, outcome: 'failure' })
          .whereIn('action', ['database.delete', 'database.user.delete'])
          .whereRaw("detail->>'reason' = 'conflict'")
          .where('created_at', '>=', job.created_at);
        expect(refusals.map((r) => r.action).sort()).toEqual(['database.delete', 'database.user.delete']);
      } finally {
        await (await busy.temporal.client()).workflow.getHandle(job.workflow_id).terminate('test over');
        await api
          .db('platform.jobs')
          .where({ id: job.id })
          .update({ status: 'failed', error: 'terminated by the test' });
      }
      // Once it is over, the same delete goes through.
      expect((await deleteDb(name, busyToken, busy)).status).toBe(204);
    } finally {
      await busy.close();
    }
  });
});

describe('bad input is refused before MariaDB is asked', () => {
  const long = 'a'.repeat(65);
  const nameRule = 'must be 1–64 characters, each a letter, digit or _';
  const cases: [
    string,
    () => Promise<{ status: number; body: { error: unknown } }>,
    number,
    string,
    string,
  ][] = [
    ['a database name with a quote', () => createDb({ name: "app'db" }), 400, `name: ${nameRule}`, 'name'],
    [
      'a database name with a semicolon',
      () => createDb({ name: 'app;DROP DATABASE mysql' }),
      400,
      `name: ${nameRule}`,
      'name',
    ],
    ['a database name with a backtick', () => createDb({ name: 'app`db' }), 400, `name: ${nameRule}`, 'name'],
    ['a database name with a space', () => createDb({ name: 'app db' }), 400, `name: ${nameRule}`, 'name'],
    ['a database name of 65 characters', () => createDb({ name: long }), 400, `name: ${nameRule}`, 'name'],
    ['an empty database name', () => createDb({ name: '' }), 400, `name: ${nameRule}`, 'name'],
    ['a missing database name', () => createDb({}), 400, 'name: is required', 'name'],
    ['a system schema', () => createDb({ name: 'mysql' }), 400, 'name: is reserved for MariaDB', 'name'],
    [
      'an unknown field',
      () => createDb({ name: 'ok_db', charset: 'latin1' }),
      400,
      'charset: unknown field',
      'charset',
    ],
    [
      'a username with a quote',
      () => createUser({ database: 'x', username: "u'--", password: PASSWORD }),
      400,
      'username: must be 1–32 characters, each a letter, digit or _',
      'username',
    ],
    [
      'a username of 33 characters',
      () => createUser({ database: 'x', username: 'u'.repeat(33), password: PASSWORD }),
      400,
      'username: must be 1–32 characters, each a letter, digit or _',
      'username',
    ],
    [
      'a database with a semicolon',
      () => createUser({ database: 'x;y', username: 'u', password: PASSWORD }),
      400,
      `database: ${nameRule}`,
      'database',
    ],
    [
      'a host with a quote',
      () => createUser({ database: 'x', username: 'u', password: PASSWORD, host: "%' OR '1" }),
      400,
      'host: must be localhost, %, an IPv4 address (a trailing % allowed) or a hostname',
      'host',
    ],
    [
      'a reserved username',
      () => createUser({ database: 'x', username: 'root', password: PASSWORD }),
      400,
      'username: is reserved',
      'username',
    ],
    [
      "Dermaga's own account",
      () => createUser({ database: 'x', username: 'dermaga', password: PASSWORD }),
      400,
      'username: is reserved',
      'username',
    ],
    [
      'a short password',
      () => createUser({ database: 'x', username: 'u', password: 'Sh0rt!' }),
      400,
      'password: must be at least 12 characters',
      'password',
    ],
    [
      'a weak password',
      () => createUser({ database: 'x', username: 'u', password: 'alllowercaseletters' }),
      400,
      'password: must mix at least three of: lowercase, uppercase, digits, symbols',
      'password',
    ],
    [
      'a password containing the username',
      () => createUser({ database: 'x', username: 'shop', password: 'Shop-Passw0rd!' }),
      400,
      'password: must not contain the username',
      'password',
    ],
  ];

  it.each(cases)('should fail with %s', async (_name, call, status, message, field) => {
    const before = await counts();
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code: 'invalid_request', message, field } });
    expect(await counts()).toEqual(before);
  });

  it('should fail with 404 for a user of a database the panel does not have', async () => {
    const before = await counts();
    const res = await createUser({ database: 'no_such_db', username: unique('u'), password: PASSWORD });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'database no_such_db not found' });
    expect(await counts()).toEqual(before);
  });

  it('should fail with 403 for a viewer', async () => {
    const viewer = await createPanelUser(api, 'viewer');
    const viewerToken = await login(api, viewer.username, viewer.password);
    const before = await counts();
    for (const res of [
      await api.request('GET', '/panel/v1/db/databases', { token: viewerToken }),
      await createDb({ name: unique('viewer') }, viewerToken),
      await createUser({ database: 'x', username: unique('u'), password: PASSWORD }, viewerToken),
      await deleteDb('x', viewerToken),
      await deleteUser('x', undefined, viewerToken),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: 'forbidden', message: 'admin role required' });
    }
    expect(await counts()).toEqual(before);
  });
});

describe('MariaDB down', () => {
  it('should fail with 503 at once when nothing listens, writing nothing', async () => {
    const down = await startApi({ PANEL_MYSQL_URL: 'mysql://x:y@127.0.0.1:1' });
    try {
      const existing = unique('exists');
      expect((await createDb({ name: existing })).status).toBe(201);
      const downToken = await login(down, actor, 'Another-Passw0rd!');
      const before = await counts();
      const started = Date.now();
      const res = await down.request('POST', '/panel/v1/db/databases', {
        token: downToken,
        body: { name: unique('down') },
      });
      expect(res.status).toBe(503);
      expect(res.body.error).toEqual({
        code: 'unavailable',
        message: 'MariaDB is unavailable (ECONNREFUSED); nothing was changed, try again shortly',
      });
      const user = await down.request('POST', '/panel/v1/db/users', {
        token: downToken,
        body: { database: existing, username: unique('u'), password: PASSWORD },
      });
      expect(user.status).toBe(503);
      expect(user.body.error.message).toBe(
        'MariaDB is unavailable (ECONNREFUSED); nothing was changed, try again shortly',
      );
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await counts()).toEqual(before);

      // The list still answers from the panel's records, without the server's view.
      const list = await down.request('GET', '/panel/v1/db/databases?limit=200', { token: downToken });
      expect(list.status).toBe(200);
      expect(list.body.databases.find((d: { name: string }) => d.name === existing).on_server).toBeNull();
    } finally {
      await down.close();
    }
  });

  it('should fail with 503 within the connect timeout when the server accepts but never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const down = await startApi({
      PANEL_MYSQL_URL: `mysql://x:y@127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
    });
    try {
      const downToken = await login(down, actor, 'Another-Passw0rd!');
      const before = await counts();
      const started = Date.now();
      const res = await down.request('POST', '/panel/v1/db/databases', {
        token: downToken,
        body: { name: unique('silent') },
      });
      expect(res.status).toBe(503);
      expect(res.body.error).toEqual({
        code: 'unavailable',
        message: 'MariaDB is unavailable (ETIMEDOUT); nothing was changed, try again shortly',
      });
      expect(Date.now() - started).toBeLessThan(6000);
      expect(await counts()).toEqual(before);
    } finally {
      await down.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
