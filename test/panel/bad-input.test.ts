import path from 'node:path';
import { uniqueDomain, useApi } from '../support/api';
import { waitForSite } from '../support/panel';

const t = useApi({ ownAdmin: true });

/**
 * Rows a refused request must not add. Scoped to this file's own admin, since other files create
 * sites meanwhile: every site is written with its job and its audit row, both naming the actor.
 * (A refusal writes a failure row of its own: only successes count here.)
 */
const counts = async () => {
  const [jobs, audit] = await Promise.all([
    t.api.db('platform.jobs').where({ actor: t.actor }).count('* as n').first(),
    t.api
      .db('platform.audit_log')
      .where({ actor: t.actor })
      .whereNot({ action: 'auth.login' })
      .where({ outcome: 'success' })
      .count('* as n')
      .first(),
  ]);
  return { jobs: Number(jobs?.n), audit: Number(audit?.n) };
};

const createSite = (body: unknown) => t.api.request('POST', '/panel/v1/sites', { token: t.token, body });

describe('POST /v1/sites refuses bad input and changes nothing', () => {
  const web = () => process.env.PANEL_WEB_ROOT as string; // set by the global setup before collection
  const cases: [string, () => { body?: unknown; raw?: string }, number, string, string | undefined][] = [
    [
      'malformed JSON',
      () => ({ raw: '{"domain": "a.test",' }),
      400,
      'request body is not valid JSON',
      undefined,
    ],
    [
      'a body that is not an object',
      () => ({ raw: '["a.test"]' }),
      400,
      'request body: Invalid input: expected object, received array',
      undefined,
    ],
    [
      'an unknown field',
      () => ({ body: { domain: 'a.test', php_version: '8.2' } }),
      400,
      'php_version: unknown field',
      'php_version',
    ],
    ['a missing domain', () => ({ body: {} }), 400, 'domain: is required', 'domain'],
    [
      'a domain that is not a hostname',
      () => ({ body: { domain: 'exa mple.com' } }),
      400,
      'domain: must be a valid hostname such as example.com',
      'domain',
    ],
    [
      'a domain with a path in it',
      () => ({ body: { domain: 'example.com/../etc' } }),
      400,
      'domain: must be a valid hostname such as example.com',
      'domain',
    ],
    [
      'a domain with an nginx directive',
      () => ({ body: { domain: 'a.test;include /etc/passwd' } }),
      400,
      'domain: must be a valid hostname such as example.com',
      'domain',
    ],
    [
      'a root_path outside the web root',
      () => ({ body: { domain: 'a.test', root_path: '/etc/nginx' } }),
      400,
      `root_path: must be inside the web root ${web()}`,
      'root_path',
    ],
    [
      'a root_path with ..',
      () => ({ body: { domain: 'a.test', root_path: `${web()}/a/../../etc` } }),
      400,
      'root_path: must not contain . or .. segments',
      'root_path',
    ],
    [
      'the web root itself',
      () => ({ body: { domain: 'a.test', root_path: web() } }),
      400,
      `root_path: must be inside the web root ${web()}`,
      'root_path',
    ],
    [
      'a relative root_path',
      () => ({ body: { domain: 'a.test', root_path: 'www/a' } }),
      400,
      'root_path: must be an absolute path',
      'root_path',
    ],
    [
      'an unknown runtime',
      () => ({ body: { domain: 'a.test', runtime: 'cobol' } }),
      400,
      'runtime: must be one of: static, php, proxy',
      'runtime',
    ],
  ];

  it.each(cases)('should fail with %s', async (_name, input, status, message, field) => {
    const before = await counts();
    const res = await t.api.request('POST', '/panel/v1/sites', { token: t.token, ...input() });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code: 'invalid_request', message, ...(field ? { field } : {}) } });
    expect(await counts()).toEqual(before);
  });

  it('should fail with 409 for a domain that is already hosted, and for its root path', async () => {
    const domain = uniqueDomain('dup');
    const first = await createSite({ domain });
    expect(first.status).toBe(202);
    const before = await counts();
    const again = await createSite({ domain: domain.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'conflict',
      message: 'domain: a site with this domain already exists',
      field: 'domain',
    });
    const sameRoot = await createSite({
      domain: uniqueDomain('other'),
      root_path: path.join(t.api.config.PANEL_WEB_ROOT, domain),
    });
    expect(sameRoot.status).toBe(409);
    expect(sameRoot.body.error.field).toBe('root_path');
    expect(await counts()).toEqual(before);
    await waitForSite(t.api, t.token, first.body.site.id, 'active');
  });

  it('should fail with 415 for a body that is not JSON', async () => {
    const res = await t.api.request('POST', '/panel/v1/sites', {
      token: t.token,
      raw: 'domain=a.test',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });
});

describe('unknown or malformed ids', () => {
  it('should fail with 404 for a site or job that does not exist', async () => {
    for (const p of ['/panel/v1/sites/site_0000000000zzzz', '/panel/v1/jobs/job_0000000000zzzz']) {
      const res = await t.api.request('GET', p, { token: t.token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const before = await counts();
    const del = await t.api.request('DELETE', '/panel/v1/sites/site_0000000000zzzz', { token: t.token });
    expect(del.status).toBe(404);
    expect(del.body.error.message).toBe('site not found');
    expect(await counts()).toEqual(before);
  });

  it('should fail with 400 for an id that cannot be one', async () => {
    const res = await t.api.request('GET', '/panel/v1/sites/..%2F..%2Fetc', { token: t.token });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('site_id');
  });

  it('should fail with 400 for an unknown query parameter or a bad limit', async () => {
    expect((await t.api.request('GET', '/panel/v1/sites?limit=0', { token: t.token })).body.error.field).toBe(
      'limit',
    );
    expect(
      (await t.api.request('GET', '/panel/v1/jobs?colour=red', { token: t.token })).body.error.message,
    ).toBe('colour: unknown field');
  });

  it('should fail with 400 naming the field for a NUL character in an admin filter or a login', async () => {
    const nul = (field: string) => ({
      error: {
        code: 'invalid_request',
        message: `${field}: must not contain NUL (\\u0000) characters`,
        field,
      },
    });
    const audit = await t.api.request('GET', '/panel/v1/audit/logs?actor=admin%00', { token: t.token });
    expect([audit.status, audit.body]).toEqual([400, nul('actor')]);
    const login = await t.api.request('POST', '/panel/v1/auth/login', {
      body: { username: `${t.actor}\u0000`, password: 'Another-Passw0rd!' },
    });
    expect([login.status, login.body]).toEqual([400, nul('username')]);
  });

  it('answers 404 in the panel envelope for a path the panel does not have', async () => {
    const res = await t.api.request('GET', '/panel/v1/nothing-here', { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
