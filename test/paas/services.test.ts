import { randomUUID } from 'node:crypto';
import { countStatuses, startApi, type TestApi } from '../support/api';
import { paasAccount, paasCall, templateId, uniqueName, type PaasAccount } from '../support/paas';

let api: TestApi;
let call: ReturnType<typeof paasCall>;
beforeAll(async () => {
  api = await startApi();
  call = paasCall(api);
});
afterAll(() => api.close());

/** A config of one's own: a tiny image, no template. */
const ownConfig = (over: Record<string, unknown> = {}) => ({
  image: 'busybox:1.36',
  ports: [8080],
  environment: { GREETING: 'hello' },
  resources: { cpu: 100, memory: 64, disk: 128 },
  ...over,
});
const create = (who: PaasAccount, body: Record<string, unknown>) =>
  call('POST', '/services', who.token, body);
const createOwn = (who: PaasAccount, type = 'web', config: Record<string, unknown> = {}) =>
  create(who, { name: uniqueName('svc'), type, config: ownConfig(config) });

describe('paas templates', () => {
  it('lists the seeded catalog with real images, and shows one with its placeholders', async () => {
    const a = await paasAccount(api);
    const list = await call('GET', '/templates', a.token);
    expect(list.status).toBe(200);
    const names = list.body.templates.map((t: { name: string }) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'postgresql',
        'mariadb',
        'mysql',
        'redis',
        'mongodb',
        'rabbitmq',
        'minio',
        'nginx',
      ]),
    );
    expect(list.body.total).toBe(list.body.templates.length);
    const pg = list.body.templates.find((t: { name: string }) => t.name === 'postgresql');
    expect(pg).toEqual({
      id: expect.any(String),
      name: 'postgresql',
      type: 'postgresql',
      description: expect.any(String),
      icon: 'database',
      category: 'Database',
      tags: ['postgresql', 'database', 'sql'],
      is_public: true,
      created_at: expect.any(String),
    });

    const one = await call('GET', `/templates/${pg.id}`, a.token);
    expect(one.status).toBe(200);
    expect(one.body.config).toEqual({
      image: 'postgres:16',
      ports: [5432],
      environment: {
        POSTGRES_USER: '{{DB_USER}}',
        POSTGRES_PASSWORD: '{{DB_PASSWORD}}',
        POSTGRES_DB: '{{DB_NAME}}',
      },
      resources: { cpu: 500, memory: 1024, disk: 2048 },
      nomad_job_file: 'postgresql.nomad',
    });
    expect(one.body.variables.DB_PASSWORD).toMatchObject({ secret: true });

    expect((await call('GET', '/templates/not-a-uuid', a.token)).status).toBe(400);
    const missing = await call('GET', `/templates/${randomUUID()}`, a.token);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'Template not found' });
    expect((await call('GET', '/templates')).status).toBe(401);
  });
});

describe('paas services: create', () => {
  it('creates a stopped service from a template: placeholders filled, the password generated and shown to its creator only', async () => {
    const owner = await paasAccount(api);
    const res = await create(owner, {
      name: 'my-postgres-db',
      description: 'PostgreSQL database for my application',
      template_id: await templateId(api, 'postgresql'),
      config: { custom_variables: { DB_NAME: 'mydb' } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'my-postgres-db',
      type: 'postgresql',
      status: 'stopped',
      description: 'PostgreSQL database for my application',
      config: {
        image: 'postgres:16',
        ports: [5432],
        environment: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: expect.any(String), POSTGRES_DB: 'mydb' },
        resources: { cpu: 500, memory: 1024, disk: 2048 },
        nomad_job_file: 'postgresql.nomad',
        custom_variables: { DB_NAME: 'mydb', DB_USER: 'app' },
      },
      template_id: expect.any(String),
      tenant_id: owner.tenantId,
      created_by: owner.id,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const password = res.body.config.environment.POSTGRES_PASSWORD;
    expect(password).toHaveLength(20);

    expect(
      (await call('GET', `/services/${res.body.id}`, owner.token)).body.config.environment.POSTGRES_PASSWORD,
    ).toBe(password);
    // A tenant_admin of the tenant and a platform admin see the service, the password masked.
    const tenantAdmin = await paasAccount(api, 'tenant_admin', { tenantId: owner.tenantId });
    const admin = await paasAccount(api, 'admin');
    for (const reader of [tenantAdmin, admin]) {
      const seen = await call('GET', `/services/${res.body.id}`, reader.token);
      expect(seen.status).toBe(200);
      expect(seen.body.config.environment).toEqual({
        POSTGRES_USER: 'app',
        POSTGRES_PASSWORD: '********',
        POSTGRES_DB: 'mydb',
      });
    }
  });

  it('makes a service of every seeded template with nothing but its id: every placeholder has a default or is a generated secret', async () => {
    const templates = await api.db('paas.templates').where({ is_public: true });
    for (const t of templates) {
      const owner = await paasAccount(api);
      const res = await create(owner, { name: uniqueName(t.name), template_id: t.id });
      expect([t.name, res.status]).toEqual([t.name, 201]);
      expect(res.body.type).toBe(t.type);
      expect(JSON.stringify(res.body.config.environment)).not.toMatch(/\{\{/);
      const row = await api.db('paas.services').where({ id: res.body.id }).first();
      for (const [key, value] of Object.entries(t.config.environment as Record<string, string>))
        if (/PASSWORD|_PASS\b/.test(value) || /PASSWORD|_PASS$/.test(key))
          expect([t.name, key, row.secrets[key]]).toEqual([t.name, key, 'generated']);
    }
  });

  it('creates a service from its own config (a type of the catalog)', async () => {
    const owner = await paasAccount(api);
    const res = await createOwn(owner, 'web', {
      environment: { GREETING: 'hi {{WHO}}' },
      custom_variables: { WHO: 'you' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'web',
      status: 'stopped',
      template_id: null,
      config: { image: 'busybox:1.36', ports: [8080], environment: { GREETING: 'hi you' } },
    });
    const list = await call('GET', '/services', owner.token);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      services: [
        {
          id: res.body.id,
          name: res.body.name,
          type: 'web',
          status: 'stopped',
          description: '',
          tenant_id: owner.tenantId,
          created_by: owner.id,
          created_at: expect.any(String),
          updated_at: expect.any(String),
          deployments: [],
        },
      ],
      total: 1,
    });
  });

  it.each([
    ['an unknown template', { template_id: randomUUID() }, 'template_id', 'template_id: unknown template'],
    ['a malformed template id', { template_id: 'x' }, 'template_id', undefined],
    ['an unknown type', { type: 'kafka' }, 'type', undefined],
    ['a type other than the template’s', { type: 'redis', template_id: 'postgresql' }, 'type', undefined],
    ['port 0', { config: ownConfig({ ports: [0] }) }, 'config.ports.0', 'config.ports.0: must be 1-65535'],
    [
      'port 65536',
      { config: ownConfig({ ports: [65536] }) },
      'config.ports.0',
      'config.ports.0: must be 1-65535',
    ],
    ['a repeated port', { config: ownConfig({ ports: [80, 80] }) }, 'config.ports', undefined],
    ['no port', { config: ownConfig({ ports: [] }) }, 'config.ports', undefined],
    [
      'cpu 0',
      { config: ownConfig({ resources: { cpu: 0, memory: 64, disk: 1 } }) },
      'config.resources.cpu',
      undefined,
    ],
    [
      'memory 0',
      { config: ownConfig({ resources: { cpu: 1, memory: 0, disk: 1 } }) },
      'config.resources.memory',
      undefined,
    ],
    [
      'cpu beyond the largest host',
      // Beyond any host this suite configures or finds (PAAS_MAX_SERVICE_CPU_MHZ, or paas.hosts' largest).
      { config: ownConfig({ resources: { cpu: 2_000_000_000, memory: 64, disk: 1 } }) },
      'config.resources.cpu',
      expect.stringMatching(/^config\.resources\.cpu: must be at most \d+ MHz \(the largest host\)$/),
    ],
    [
      'memory beyond the largest host',
      { config: ownConfig({ resources: { cpu: 1, memory: 2_000_000_000, disk: 1 } }) },
      'config.resources.memory',
      undefined,
    ],
    [
      'an environment key Docker rejects',
      { config: ownConfig({ environment: { 'BAD=KEY': 'x' } }) },
      'config.environment.BAD=KEY',
      undefined,
    ],
    [
      'an empty environment key',
      { config: ownConfig({ environment: { '': 'x' } }) },
      'config.environment.',
      undefined,
    ],
    ['a name Docker rejects', { name: 'bad name!' }, 'name', undefined],
    ['a one-character name', { name: 'a' }, 'name', undefined],
    [
      'an image that is no reference',
      { config: ownConfig({ image: 'UPPER/Case' }) },
      'config.image',
      undefined,
    ],
    [
      'a missing image without template',
      { config: ownConfig({ image: undefined }) },
      'config.image',
      undefined,
    ],
    [
      'an unknown field',
      { config: ownConfig({ command: ['sh'] }) },
      'config.command',
      'config.command: unknown field',
    ],
    [
      'a placeholder nobody fills',
      { config: ownConfig({ environment: { URL: 'http://{{HOST}}' } }) },
      'config.custom_variables.HOST',
      undefined,
    ],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_, over, field, error) => {
    const owner = await paasAccount(api);
    const body: Record<string, unknown> = {
      name: uniqueName('svc'),
      type: 'web',
      config: ownConfig(),
      ...over,
    };
    if (body.template_id === 'postgresql') body.template_id = await templateId(api, 'postgresql');
    const res = await create(owner, body);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.error).toEqual(
      error ?? expect.stringMatching(new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `)),
    );
    expect(await api.db('paas.services').where({ tenant_id: owner.tenantId })).toEqual([]);
  });

  it('refuses a second service of a type in a tenant, even when created at once', async () => {
    const owner = await paasAccount(api);
    expect((await createOwn(owner, 'web')).status).toBe(201);
    const again = await createOwn(owner, 'web');
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'Service already exists for this tenant', field: 'type' });
    // Another user of the same tenant is held to the same rule.
    const colleague = await paasAccount(api, 'user', { tenantId: owner.tenantId });
    expect((await createOwn(colleague, 'web')).body.error).toBe('Service already exists for this tenant');

    const racer = await paasAccount(api);
    const answers = await Promise.all(Array.from({ length: 6 }, () => createOwn(racer, 'redis')));
    expect(countStatuses(answers)).toEqual({ 201: 1, 400: 5 });
    expect(await api.db('paas.services').where({ tenant_id: racer.tenantId })).toHaveLength(1);
  });

  it("refuses a service beyond the tenant's limit, atomically under parallel creates", async () => {
    const owner = await paasAccount(api, 'user', { maxServices: 2 });
    const types = ['web', 'redis', 'postgresql', 'mongodb', 'minio', 'rabbitmq'];
    const answers = await Promise.all(types.map((type) => createOwn(owner, type)));
    expect(countStatuses(answers)).toEqual({ 201: 2, 400: 4 });
    for (const refused of answers.filter((a) => a.status === 400))
      expect(refused.body).toMatchObject({ error: 'Tenant has reached maximum number of services' });
    expect(await api.db('paas.services').where({ tenant_id: owner.tenantId })).toHaveLength(2);
  });

  it('applies PAAS_MAX_SERVICES_PER_TENANT when the tenant has no limit of its own', async () => {
    const owner = await paasAccount(api);
    const limit = api.config.PAAS_MAX_SERVICES_PER_TENANT;
    const types = ['web', 'redis', 'postgresql', 'mongodb', 'minio', 'rabbitmq', 'mysql'].slice(0, limit + 1);
    for (const [i, type] of types.entries()) {
      const res = await createOwn(owner, type);
      expect([type, res.status]).toEqual([type, i < limit ? 201 : 400]);
    }
  });
});

describe('paas services: tenancy', () => {
  it("answers 404 for another tenant's service and a colleague's (user role), on every route", async () => {
    const owner = await paasAccount(api);
    const svc = (await createOwn(owner)).body;
    const stranger = await paasAccount(api);
    const colleague = await paasAccount(api, 'user', { tenantId: owner.tenantId });
    const strangerAdmin = await paasAccount(api, 'tenant_admin');
    for (const other of [stranger, colleague, strangerAdmin]) {
      for (const [method, body] of [
        ['GET', undefined],
        ['PUT', { description: 'mine now' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await call(method, `/services/${svc.id}`, other.token, body);
        expect([method, res.status, res.body]).toEqual([
          method,
          404,
          expect.objectContaining({ error: 'Service not found' }),
        ]);
      }
      expect(
        (await call('GET', '/services', other.token)).body.services.map((s: { id: string }) => s.id),
      ).not.toContain(svc.id);
    }
    // Nothing changed.
    expect((await call('GET', `/services/${svc.id}`, owner.token)).body.description).toBe('');
  });

  it('lets a tenant_admin act on every service of its tenant, and an admin on all', async () => {
    const owner = await paasAccount(api);
    const svc = (await createOwn(owner)).body;
    const tenantAdmin = await paasAccount(api, 'tenant_admin', { tenantId: owner.tenantId });
    const listed = await call('GET', '/services', tenantAdmin.token);
    expect(listed.body.services.map((s: { id: string }) => s.id)).toEqual([svc.id]);
    const put = await call('PUT', `/services/${svc.id}`, tenantAdmin.token, {
      description: 'by the tenant admin',
    });
    expect(put.status).toBe(200);
    const admin = await paasAccount(api, 'admin');
    const all = await call('GET', '/services?limit=1000', admin.token);
    expect(all.body.total).toBeGreaterThanOrEqual(1);
    expect((await call('GET', `/services/${svc.id}`, admin.token)).body.description).toBe(
      'by the tenant admin',
    );
  });

  it('answers 400 for a malformed id and 401 without a token on every route', async () => {
    const a = await paasAccount(api);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await call(
        method,
        '/services/123',
        a.token,
        method === 'PUT' ? { description: 'x' } : undefined,
      );
      expect([method, res.status, res.body.field]).toEqual([method, 400, 'id']);
      expect((await call(method, `/services/${randomUUID()}`)).status).toBe(401);
    }
    expect((await call('POST', '/services', undefined, {})).status).toBe(401);
    expect((await call('GET', '/services')).status).toBe(401);
  });
});

describe('paas services: update and delete', () => {
  it('updates a stopped service: name, description, config; a masked password sent back is kept; the type cannot change', async () => {
    const owner = await paasAccount(api);
    const svc = (
      await create(owner, { name: 'db', template_id: await templateId(api, 'postgresql'), config: {} })
    ).body;
    const password = svc.config.environment.POSTGRES_PASSWORD;
    const put = await call('PUT', `/services/${svc.id}`, owner.token, {
      name: 'my-updated-postgres-db',
      type: 'postgresql',
      description: 'Updated PostgreSQL database',
      config: { image: 'postgres:17', resources: { cpu: 1000, memory: 2048, disk: 4096 } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: svc.id,
      name: 'my-updated-postgres-db',
      type: 'postgresql',
      status: 'stopped',
      description: 'Updated PostgreSQL database',
      config: {
        image: 'postgres:17',
        resources: { cpu: 1000, memory: 2048, disk: 4096 },
        environment: { POSTGRES_PASSWORD: password },
      },
      updated_at: expect.any(String),
    });

    // A tenant admin reads the masked value and sends the environment back with a change.
    const tenantAdmin = await paasAccount(api, 'tenant_admin', { tenantId: owner.tenantId });
    const seen = (await call('GET', `/services/${svc.id}`, tenantAdmin.token)).body;
    const back = await call('PUT', `/services/${svc.id}`, tenantAdmin.token, {
      config: { environment: { ...seen.config.environment, POSTGRES_DB: 'renamed' } },
    });
    expect(back.status).toBe(200);
    const now = (await call('GET', `/services/${svc.id}`, owner.token)).body.config.environment;
    expect(now).toEqual({ POSTGRES_USER: 'app', POSTGRES_PASSWORD: password, POSTGRES_DB: 'renamed' });

    const retype = await call('PUT', `/services/${svc.id}`, owner.token, { type: 'redis' });
    expect(retype.status).toBe(400);
    expect(retype.body.field).toBe('type');
    const badPort = await call('PUT', `/services/${svc.id}`, owner.token, { config: { ports: [70000] } });
    expect(badPort.body).toMatchObject({ field: 'config.ports.0' });
    expect((await call('GET', `/services/${svc.id}`, owner.token)).body.config.ports).toEqual([5432]);
  });

  it('refuses to change a service while a deployment is in progress, and to delete one while it stops', async () => {
    const owner = await paasAccount(api);
    const svc = (await createOwn(owner)).body;
    await api.db('paas.services').where({ id: svc.id }).update({ status: 'deploying' });
    const put = await call('PUT', `/services/${svc.id}`, owner.token, { description: 'x' });
    expect(put.status).toBe(400);
    expect(put.body).toMatchObject({ error: 'Service deployment already in progress' });
    await api.db('paas.services').where({ id: svc.id }).update({ status: 'stopping' });
    const del = await call('DELETE', `/services/${svc.id}`, owner.token);
    expect(del.status).toBe(400);
    expect(del.body.error).toMatch(/^Service is stopping/);
    expect((await call('GET', `/services/${svc.id}`, owner.token)).body.description).toBe('');
  });

  it('deletes a service never deployed at once', async () => {
    const owner = await paasAccount(api);
    const svc = (await createOwn(owner)).body;
    const del = await call('DELETE', `/services/${svc.id}`, owner.token);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: 'Service deleted successfully' });
    expect((await call('GET', `/services/${svc.id}`, owner.token)).status).toBe(404);
    // Its type is free again.
    expect((await createOwn(owner)).status).toBe(201);
  });
});

describe('paas deployments table', () => {
  it('holds at most one deployment in progress per service (the atomic "already in progress" rule)', async () => {
    const owner = await paasAccount(api);
    const svc = (await createOwn(owner)).body;
    const row = () => ({
      id: randomUUID(),
      service_id: svc.id,
      status: 'pending',
      nomad_job_id: `tenant-web-${Date.now()}`,
      config: JSON.stringify(svc.config),
    });
    const results = await Promise.allSettled([1, 2, 3].map(() => api.db('paas.deployments').insert(row())));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await api.db('paas.deployments').where({ service_id: svc.id }).update({ status: 'completed' });
    for (let i = 0; i < 6; i++) {
      await api.db('paas.deployments').insert(row());
      await api
        .db('paas.deployments')
        .where({ service_id: svc.id, status: 'pending' })
        .update({ status: 'superseded' });
    }
    // GET /services shows the latest five, newest first.
    const listed = (await call('GET', '/services', owner.token)).body.services[0].deployments;
    expect(listed).toHaveLength(5);
    expect(listed[0]).toEqual({
      id: expect.any(String),
      status: 'superseded',
      nomad_job_id: expect.stringMatching(/^tenant-web-\d+$/),
      published_ports: null,
      error: null,
      started_at: null,
      completed_at: null,
    });
  });
});

describe('paas image allowlist', () => {
  let strict: TestApi;
  beforeAll(async () => {
    strict = await startApi({ PAAS_IMAGE_ALLOWLIST: 'postgres:*,docker.io/bitnami/*' });
  });
  afterAll(() => strict.close());

  it('admits only images matching PAAS_IMAGE_ALLOWLIST', async () => {
    const owner = await paasAccount(strict);
    const post = paasCall(strict);
    const refused = await post('POST', '/services', owner.token, {
      name: 'web',
      type: 'web',
      config: ownConfig(),
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ field: 'config.image' });
    expect(refused.body.error).toMatch(/PAAS_IMAGE_ALLOWLIST/);
    const admitted = await post('POST', '/services', owner.token, {
      name: 'cache',
      template_id: await templateId(strict, 'redis'),
    });
    expect(admitted.status).toBe(201);
  });
});
