import type { Knex } from 'knex';

/**
 * paas: tenants, their users (never another product's), refresh tokens, the template catalog,
 * services (one per type per tenant) and their deployments. Ids are UUIDs, as paas.md shows.
 *
 * Two rules hold in the database itself, whatever two requests read first:
 * - a tenant has one service per type: UNIQUE (tenant_id, type);
 * - a service has at most one deployment in progress: a partial unique index on deployments
 *   (service_id) where status in ('pending', 'in_progress') — a second start fails its insert.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists paas');

  await knex.schema.withSchema('paas').createTable('tenants', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    /** null: PAAS_MAX_SERVICES_PER_TENANT. */
    t.integer('max_services');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.withSchema('paas').createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('id').inTable('paas.tenants').onDelete('CASCADE');
    t.text('username').notNullable();
    t.text('email').notNullable();
    t.text('password_hash').notNullable();
    t.text('first_name').notNullable().defaultTo('');
    t.text('last_name').notNullable().defaultTo('');
    t.text('role').notNullable().defaultTo('user');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['tenant_id']);
  });
  await knex.raw('create unique index users_username_unique on paas.users (lower(username))');
  await knex.raw('create unique index users_email_unique on paas.users (lower(email))');
  await knex.raw(
    `alter table paas.users add constraint users_role_check check (role in ('user', 'tenant_admin', 'admin'))`,
  );

  await knex.schema.withSchema('paas').createTable('refresh_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('paas.users').onDelete('CASCADE');
    /** One login's chain of tokens: a token exchanged twice (a replay) revokes the whole family. */
    t.uuid('family_id').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id']);
    t.index(['family_id']);
  });

  await knex.schema.withSchema('paas').createTable('templates', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable().unique();
    /** The service type a service made from it gets (one service per type per tenant). */
    t.text('type').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('icon').notNullable().defaultTo('');
    t.text('category').notNullable().defaultTo('');
    t.jsonb('tags').notNullable().defaultTo('[]');
    /** { image, ports, environment (with {{VAR}}), resources { cpu MHz, memory MB, disk MB }, nomad_job_file }. */
    t.jsonb('config').notNullable();
    /** null: the first port accepting connections is healthy. Else { type: 'tcp', port } or { type: 'command', command: [...] }. */
    t.jsonb('health_check');
    /** Its {{VAR}} placeholders: { VAR: { description, default?, secret? } }; a secret one not given is generated. */
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.boolean('is_public').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['type']);
  });

  await knex.schema.withSchema('paas').createTable('services', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('tenant_id').notNullable().references('id').inTable('paas.tenants').onDelete('CASCADE');
    t.uuid('created_by').notNullable().references('id').inTable('paas.users');
    t.uuid('template_id').references('id').inTable('paas.templates').onDelete('SET NULL');
    t.text('name').notNullable();
    t.text('type').notNullable();
    t.text('description').notNullable().defaultTo('');
    /** What is deployed: { image, ports, environment (filled), resources, nomad_job_file, custom_variables }. */
    t.jsonb('config').notNullable();
    /**
     * Which environment keys hold passwords: { KEY: 'generated' | 'given' }. Their values are in
     * config.environment (the container needs them); views mask them for anyone but the creator.
     */
    t.jsonb('secrets').notNullable().defaultTo('{}');
    /** The template's health check, placeholders filled (null: the first port accepting connections). */
    t.jsonb('health_check');
    t.text('status').notNullable().defaultTo('stopped');
    t.text('host_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['tenant_id', 'type'], { indexName: 'services_tenant_type_unique' });
    t.index(['created_by']);
  });
  await knex.raw(`alter table paas.services add constraint services_status_check
    check (status in ('stopped', 'deploying', 'running', 'stopping', 'failed', 'deleting'))`);

  await knex.schema.withSchema('paas').createTable('deployments', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('service_id').notNullable().references('id').inTable('paas.services').onDelete('CASCADE');
    t.text('status').notNullable().defaultTo('pending');
    t.text('nomad_job_id').notNullable();
    t.uuid('deployed_by');
    t.text('host_id');
    t.text('container_id');
    t.text('network');
    t.text('volume');
    /** The service's config as this deployment runs it. */
    t.jsonb('config').notNullable();
    t.text('error');
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['service_id', 'created_at']);
  });
  await knex.raw(`alter table paas.deployments add constraint deployments_status_check
    check (status in ('pending', 'in_progress', 'completed', 'failed', 'stopped', 'superseded'))`);
  await knex.raw(`create unique index deployments_one_in_progress on paas.deployments (service_id)
    where status in ('pending', 'in_progress')`);

  await knex('paas.templates').insert(
    TEMPLATES.map((tpl) => ({
      ...tpl,
      tags: JSON.stringify(tpl.tags),
      config: JSON.stringify(tpl.config),
      health_check: tpl.health_check ? JSON.stringify(tpl.health_check) : null,
      variables: JSON.stringify(tpl.variables),
    })),
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists paas cascade');
}

const user = (description: string, fallback: string) => ({ description, default: fallback });
const secret = (description: string) => ({ description, secret: true });
const cmd = (...command: string[]) => ({ type: 'command', command });

/**
 * The seeded catalog: real images at pinned versions whose own command serves (the contract has no
 * command field), so e.g. MinIO is Bitnami's image, which starts its server by itself.
 */
const TEMPLATES = [
  {
    name: 'postgresql',
    type: 'postgresql',
    description: 'PostgreSQL 16 relational database',
    icon: 'database',
    category: 'Database',
    tags: ['postgresql', 'database', 'sql'],
    config: {
      image: 'postgres:16',
      ports: [5432],
      environment: {
        POSTGRES_USER: '{{DB_USER}}',
        POSTGRES_PASSWORD: '{{DB_PASSWORD}}',
        POSTGRES_DB: '{{DB_NAME}}',
      },
      resources: { cpu: 500, memory: 1024, disk: 2048 },
      nomad_job_file: 'postgresql.nomad',
    },
    health_check: cmd('pg_isready', '-U', '{{DB_USER}}', '-d', '{{DB_NAME}}'),
    variables: {
      DB_USER: user('database owner', 'app'),
      DB_PASSWORD: secret("the owner's password"),
      DB_NAME: user('database name', 'app'),
    },
  },
  {
    name: 'mariadb',
    type: 'mysql',
    description: 'MariaDB 11 (MySQL-compatible) relational database',
    icon: 'database',
    category: 'Database',
    tags: ['mariadb', 'mysql', 'database', 'sql'],
    config: {
      image: 'mariadb:11.4',
      ports: [3306],
      environment: {
        MARIADB_USER: '{{DB_USER}}',
        MARIADB_PASSWORD: '{{DB_PASSWORD}}',
        MARIADB_ROOT_PASSWORD: '{{ROOT_PASSWORD}}',
        MARIADB_DATABASE: '{{DB_NAME}}',
      },
      resources: { cpu: 500, memory: 1024, disk: 2048 },
      nomad_job_file: 'mariadb.nomad',
    },
    health_check: cmd('healthcheck.sh', '--connect', '--innodb_initialized'),
    variables: {
      DB_USER: user('database user', 'app'),
      DB_PASSWORD: secret("the user's password"),
      ROOT_PASSWORD: secret('the root password'),
      DB_NAME: user('database name', 'app'),
    },
  },
  {
    name: 'mysql',
    type: 'mysql',
    description: 'MySQL 8.4 LTS relational database',
    icon: 'database',
    category: 'Database',
    tags: ['mysql', 'database', 'sql'],
    config: {
      image: 'mysql:8.4',
      ports: [3306],
      environment: {
        MYSQL_USER: '{{DB_USER}}',
        MYSQL_PASSWORD: '{{DB_PASSWORD}}',
        MYSQL_ROOT_PASSWORD: '{{ROOT_PASSWORD}}',
        MYSQL_DATABASE: '{{DB_NAME}}',
      },
      resources: { cpu: 500, memory: 1024, disk: 2048 },
      nomad_job_file: 'mysql.nomad',
    },
    health_check: cmd('mysqladmin', 'ping', '-h', '127.0.0.1'),
    variables: {
      DB_USER: user('database user', 'app'),
      DB_PASSWORD: secret("the user's password"),
      ROOT_PASSWORD: secret('the root password'),
      DB_NAME: user('database name', 'app'),
    },
  },
  {
    name: 'redis',
    type: 'redis',
    description: 'Redis 7 in-memory key-value store (password required)',
    icon: 'zap',
    category: 'Cache',
    tags: ['redis', 'cache', 'key-value'],
    config: {
      image: 'bitnami/redis:7.4',
      ports: [6379],
      environment: { REDIS_PASSWORD: '{{REDIS_PASSWORD}}' },
      resources: { cpu: 250, memory: 256, disk: 512 },
      nomad_job_file: 'redis.nomad',
    },
    health_check: null,
    variables: { REDIS_PASSWORD: secret('the password clients AUTH with') },
  },
  {
    name: 'mongodb',
    type: 'mongodb',
    description: 'MongoDB 7 document database',
    icon: 'leaf',
    category: 'Database',
    tags: ['mongodb', 'database', 'nosql', 'document'],
    config: {
      image: 'mongo:7.0',
      ports: [27017],
      environment: {
        MONGO_INITDB_ROOT_USERNAME: '{{DB_USER}}',
        MONGO_INITDB_ROOT_PASSWORD: '{{DB_PASSWORD}}',
      },
      resources: { cpu: 500, memory: 1024, disk: 2048 },
      nomad_job_file: 'mongodb.nomad',
    },
    health_check: cmd('mongosh', '--quiet', '--eval', 'db.adminCommand("ping").ok'),
    variables: { DB_USER: user('root user', 'admin'), DB_PASSWORD: secret("the root user's password") },
  },
  {
    name: 'rabbitmq',
    type: 'rabbitmq',
    description: 'RabbitMQ 3.13 message broker with the management UI',
    icon: 'inbox',
    category: 'Messaging',
    tags: ['rabbitmq', 'amqp', 'queue', 'messaging'],
    config: {
      image: 'rabbitmq:3.13-management',
      ports: [5672, 15672],
      environment: {
        RABBITMQ_DEFAULT_USER: '{{RABBITMQ_USER}}',
        RABBITMQ_DEFAULT_PASS: '{{RABBITMQ_PASSWORD}}',
      },
      resources: { cpu: 500, memory: 512, disk: 1024 },
      nomad_job_file: 'rabbitmq.nomad',
    },
    health_check: cmd('rabbitmq-diagnostics', '-q', 'ping'),
    variables: {
      RABBITMQ_USER: user('broker user', 'app'),
      RABBITMQ_PASSWORD: secret("the broker user's password"),
    },
  },
  {
    name: 'minio',
    type: 'minio',
    description: 'MinIO S3-compatible object storage (API and console)',
    icon: 'hard-drive',
    category: 'Storage',
    tags: ['minio', 's3', 'object-storage'],
    config: {
      image: 'bitnami/minio:2024.10.13',
      ports: [9000, 9001],
      environment: { MINIO_ROOT_USER: '{{MINIO_USER}}', MINIO_ROOT_PASSWORD: '{{MINIO_PASSWORD}}' },
      resources: { cpu: 500, memory: 512, disk: 4096 },
      nomad_job_file: 'minio.nomad',
    },
    health_check: null,
    variables: {
      MINIO_USER: user('root access key', 'minioadmin'),
      MINIO_PASSWORD: secret('root secret key'),
    },
  },
  {
    name: 'nginx',
    type: 'web',
    description: 'nginx 1.27 web server',
    icon: 'globe',
    category: 'Web',
    tags: ['nginx', 'web', 'http', 'proxy'],
    config: {
      image: 'nginx:1.27',
      ports: [80],
      environment: {},
      resources: { cpu: 100, memory: 128, disk: 256 },
      nomad_job_file: 'nginx.nomad',
    },
    health_check: null,
    variables: {},
  },
];
